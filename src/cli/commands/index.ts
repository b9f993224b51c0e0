/**
 * The command registry: name, summary and usage of every command, and how to load it. Help and --version read
 * only this file, so they load no command module (nor DuckDB, nor tiktoken). One entry per command; add yours
 * to the list (keep it sorted by name within your block). The command's options and run() are in its module.
 */
import type { CommandEntry } from '../command.js';

/** Every command, in help order. */
export const COMMANDS: readonly CommandEntry[] = [
  // foundation
  {
    name: 'sql',
    summary: 'run a read-only SQL query against the store',
    usage: '"SELECT ..." [--max-rows N] [--db PATH] [--json]',
    load: async () => (await import('./sql.js')).sqlCommand,
  },
  {
    name: 'store copy',
    summary:
      'copy every table to another store (DuckDB file or PostgreSQL) and check counts and money totals',
    usage: '--from PATH_OR_URL --to PATH_OR_URL [--replace] [--json]',
    load: async () => (await import('./store-copy.js')).storeCopyCommand,
  },
  {
    name: 'demo',
    summary:
      'build a seeded demo organisation (usage, Azure cost export, KPIs) in the store and run every analysis on it',
    usage: '[--days 90] [--seed N] [--end YYYY-MM-DD] [--skip-analyses] [--no-serve] [--db PATH] [--json]',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  // catalog & estimate (issue 3)
  {
    name: 'estimate',
    summary: 'estimate monthly cost of a workload scenario for several options side by side',
    usage: '--scenario FILE.yaml [--json | --csv]',
    load: async () => (await import('./estimate.js')).estimateCommand,
  },
  {
    name: 'prices',
    summary: 'list token prices by model and deployment type (list and effective)',
    usage: '[--model M] [--deployment T] [--provider P] [--at YYYY-MM-DD] [--all] [--json]',
    load: async () => (await import('./prices.js')).pricesCommand,
  },
  {
    name: 'prices import',
    summary: 'import Azure Retail Prices API pages (JSON) or an EA/MCA price sheet (CSV)',
    usage: 'FILE | --url URL [--any-region] [--json]',
    load: async () => (await import('./prices-import.js')).pricesImportCommand,
  },
  {
    name: 'tokens',
    summary: 'count tokens exactly (tiktoken) for text, a file, or chat messages',
    usage: '--model M (--text T | --file F | --messages F.json) [--tools F.json] [--json]',
    load: async () => (await import('./tokens.js')).tokensCommand,
  },
  // gateway, keys, usage (issue 4)
  {
    name: 'gateway',
    summary: 'run the OpenAI/Azure-compatible metering gateway',
    usage: '[--config tally.yaml] [--db PATH] [--port P] [--host ADDR]',
    load: async () => (await import('./gateway.js')).gatewayCommand,
  },
  {
    name: 'keys create',
    summary: 'create a virtual key (the secret is printed once)',
    usage:
      '--team T --app A --env ENV [--cost-center C] [--tag k=v] [--models a,b] [--tpm N] [--quota-tokens N --quota-period day] [--budget-usd X --budget-period day] [--json]',
    load: async () => (await import('./keys.js')).keysCreateCommand,
  },
  {
    name: 'keys list',
    summary: 'list virtual keys (ids and hints, never secrets)',
    usage: '[--all] [--json]',
    load: async () => (await import('./keys.js')).keysListCommand,
  },
  {
    name: 'keys revoke',
    summary: 'revoke a virtual key by id',
    usage: 'KEY_ID [--json]',
    load: async () => (await import('./keys.js')).keysRevokeCommand,
  },
  {
    name: 'keys rotate',
    summary: 'replace a key with a new secret (same team/app/limits); the old one is revoked',
    usage: 'KEY_ID [--json]',
    load: async () => (await import('./keys.js')).keysRotateCommand,
  },
  {
    name: 'usage',
    summary: 'report metered usage and cost from the ledger',
    usage: '[--by team,app,model] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]',
    load: async () => (await import('./usage.js')).usageCommand,
  },
  // ingest, validate, costs (issue 5)
  {
    name: 'costs',
    summary: 'report billed, effective and list cost grouped by any FOCUS or x_ column',
    usage: '--by COL[,COL] [--from DATE] [--to DATE] [--ai-only] [--db PATH] [--json]',
    load: async () => (await import('./costs.js')).costsCommand,
  },
  {
    name: 'ingest',
    summary: 'load cost exports (FOCUS 1.0-1.3, Azure actual/amortized; csv, csv.gz, parquet)',
    usage: 'PATH… [--format auto|focus|azure-actual|azure-amortized] [--quarantine DIR] [--db PATH] [--json]',
    load: async () => (await import('./ingest.js')).ingestCommand,
  },
  {
    name: 'validate',
    summary: 'check a FOCUS file (csv, csv.gz, parquet) for FOCUS 1.2 conformance without loading it',
    usage: 'FILE [--strict] [--json]',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  // reconcile, chargeback, export, unit-economics (issue 6)
  {
    name: 'chargeback',
    summary: 'direct and allocated shared AI cost per team, cost center, app or environment',
    usage:
      '--period YYYY-MM [--by team|cost-center|app|environment] [--view finance|engineering] [--json|--csv]',
    load: async () => (await import('./chargeback.js')).chargebackCommand,
  },
  {
    name: 'export focus',
    summary: 'write allocated AI costs as FOCUS 1.2 CSV with the 1.3 Allocated* columns',
    usage: '--period YYYY-MM --out FILE.csv [--by team|cost-center|app|environment] [--json]',
    load: async () => (await import('./export-focus.js')).exportFocusCommand,
  },
  {
    name: 'reconcile',
    summary: 'metered cost against the invoice per deployment, model or day, with the variance explained',
    usage:
      '--period YYYY-MM [--by deployment|model|day] [--view finance|engineering] [--threshold 0.05] [--json]',
    load: async () => (await import('./reconcile.js')).reconcileCommand,
  },
  {
    name: 'unit-economics',
    summary: 'AI cost per request, conversation, active user and business outcome (KPI file), with trend',
    usage: '--period YYYY-MM [--kpi FILE.csv] [--by app|team|group|feature|tag:KEY] [--json]',
    load: async () => (await import('./unit-economics.js')).unitEconomicsCommand,
  },
  {
    name: 'kpis import',
    summary: 'store business KPIs (date, app/team/group, metric, value) for unit economics',
    usage: 'FILE.csv [--source NAME] [--json]',
    load: async () => (await import('./kpis-import.js')).kpisImportCommand,
  },
  // forecast, anomalies, budgets, alerts (issue 7)
  {
    name: 'alerts run',
    summary: 'evaluate anomalies and budgets once and send new or updated alerts (for cron)',
    usage: '[--db PATH] [--config FILE] [--at ISO] [--dry-run] [--json]',
    load: async () => (await import('./alerts.js')).alertsRunCommand,
  },
  {
    name: 'alerts test',
    summary: 'send a test alert to every configured sink (or one, with --sink NAME)',
    usage: '[--config FILE] [--sink NAME] [--json]',
    load: async () => (await import('./alerts.js')).alertsTestCommand,
  },
  {
    name: 'anomalies',
    summary: 'find anomalies with root cause in the store, or in a series CSV',
    usage: '(--series F.csv [--season S] | --db PATH --from D --to D [--grain day|hour]) [--json]',
    load: async () => (await import('./anomalies.js')).anomaliesCommand,
  },
  {
    name: 'budgets delete',
    summary: 'delete a budget set with `budgets set` (by its id, see `budgets status`)',
    usage: '--id ID [--json]',
    load: async () => (await import('./budgets.js')).budgetsDeleteCommand,
  },
  {
    name: 'budgets set',
    summary: 'create or replace a budget (scope, period, amount, thresholds)',
    usage:
      '--amount AMOUNT [--scope all|team|app|cost_center|key|model --value V] [--period month|quarter|custom]',
    load: async () => (await import('./budgets.js')).budgetsSetCommand,
  },
  {
    name: 'budgets status',
    summary: 'spend, forecast at period end (p10-p90) and crossed thresholds of every budget',
    usage: '[--db PATH] [--at YYYY-MM-DD] [--json]',
    load: async () => (await import('./budgets.js')).budgetsStatusCommand,
  },
  {
    name: 'forecast',
    summary: 'forecast a series CSV, or daily spend in the store, with p10/p50/p90',
    usage:
      '(--series F.csv | [--db PATH] [--scope all|team=X|app=X|model=X|key=X|cost_center=X]) --horizon H [--season S] [--json]',
    load: async () => (await import('./forecast.js')).forecastCommand,
  },
  {
    name: 'serve',
    summary: 'run Tally as one service: gateway, HTTP API, dashboard and scheduled work',
    usage:
      '[--config tally.yaml] [--db PATH] [--port P] [--host ADDR] [--no-gateway] [--interval S] [--once]',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  // server, users, freshness (issue 11)
  {
    name: 'freshness',
    summary:
      'last ingest and last event per source (exports lag 1-3 days; the ledger should be seconds behind)',
    usage: '[--json]',
    load: async () => (await import('./freshness.js')).freshnessCommand,
  },
  {
    name: 'users create',
    summary: 'create a user with a role (admin, finance, team-lead, viewer) and print its token once',
    usage: '--name N --role admin|finance|team-lead|viewer [--team T ...] [--json]',
    load: async () => (await import('./users.js')).usersCreateCommand,
  },
  {
    name: 'users list',
    summary: 'list users (ids, roles, teams, token hints; never tokens)',
    usage: '[--json]',
    load: async () => (await import('./users.js')).usersListCommand,
  },
  {
    name: 'users revoke',
    summary: 'revoke a user token (its browser sessions end too)',
    usage: 'ID [--json]',
    load: async () => (await import('./users.js')).usersRevokeCommand,
  },
  // recommend, carbon, maturity (issue 14)
  {
    name: 'recommend',
    summary:
      'savings you can act on: PTU right-sizing, reservations, idle deployments, batch, model and deployment type',
    usage: '[--period YYYY-MM] [--db PATH] [--json]',
    load: async () => (await import('./recommend.js')).recommendCommand,
  },
  {
    name: 'carbon',
    summary:
      'energy (Wh) and emissions (gCO2e) per team, app, model, region or deployment, as low-high ranges',
    usage:
      '[--by team|app|model|region|deployment|environment|cost-center] [--period YYYY-MM] [--basis location|market --market-factor G] [--json | --csv]',
    load: async () => (await import('./carbon.js')).carbonCommand,
  },
  {
    name: 'maturity',
    summary: 'crawl / walk / run per FinOps-for-AI capability, with evidence and the next step',
    usage: '[--period YYYY-MM] [--db PATH] [--json]',
    load: async () => (await import('./maturity.js')).maturityCommand,
  },
  // MCP server and ask (issue 16)
  {
    name: 'ask',
    summary:
      'answer a cost question with a chat model through the gateway, using the MCP tools as the caller',
    usage: '"question" [--model M] [--token T] [--json]',
    load: async () => (await import('./ask.js')).askCommand,
  },
  {
    name: 'mcp',
    summary: "serve Tally's tools to a local assistant over MCP (stdio); read-only, scoped by --token",
    usage: '--db PATH [--token T]',
    load: async () => (await import('./mcp.js')).mcpCommand,
  },
];
