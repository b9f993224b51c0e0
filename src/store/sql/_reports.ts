/** Report aggregates over the ledger and the stored tables, in portable SQL (one function per named operation). */
import type {
  ActivityRow,
  ActivityScopes,
  DeploymentStatsRow,
  CostMonthStamp,
  IngestFreshnessRow,
  KpiRow,
  ExportRateRow,
  MaturityFactsRow,
  MeteredUsageRow,
  TokenGroupColumn,
  TokenGroupRow,
  Window,
} from '../reports.js';
import type { SqlRunner } from './dialect.js';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const big = (v: unknown): bigint => BigInt(String(v ?? '0').split('.')[0] ?? '0');
const day = (d: Date) => d.toISOString().slice(0, 10);

/** Reconciliation: ledger usage per upstream, deployment, model, type and UTC day (money as exact text). */
export async function meteredUsageByDay(r: SqlRunner, w: Window): Promise<MeteredUsageRow[]> {
  const rows = await r.query(
    `SELECT upstream, deployment, model, deployment_type, ${r.dialect.dayText('start_time')} AS day,
       count(*) AS requests, CAST(sum(input_tokens) AS VARCHAR) AS input_tokens,
       CAST(sum(output_tokens) AS VARCHAR) AS output_tokens,
       CAST(sum(cost_nanos) AS VARCHAR) AS cost, CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost,
       string_agg(DISTINCT price_version, '|') AS price_versions
     FROM usage_events WHERE start_time >= $1 AND start_time < $2
     GROUP BY 1, 2, 3, 4, 5 ORDER BY day, deployment, model`,
    [w.from, w.to],
  );
  return rows.map((row) => ({
    upstream: str(row['upstream']),
    deployment: str(row['deployment']),
    model: String(row['model']),
    deploymentType: String(row['deployment_type']),
    day: String(row['day']),
    requests: Number(row['requests']),
    inputTokens: BigInt(String(row['input_tokens'] ?? '0')),
    outputTokens: BigInt(String(row['output_tokens'] ?? '0')),
    costNanos: BigInt(String(row['cost'] ?? '0')),
    listCostNanos: BigInt(String(row['list_cost'] ?? '0')),
    // Sorted: string_agg's order is unspecified, and both backends must give the same answer.
    priceVersions: row['price_versions'] ? String(row['price_versions']).split('|').sort() : [],
  }));
}

/** Carbon: output tokens and requests per (by, model, provider, region), optionally for some teams only. */
export async function outputTokenGroups(
  r: SqlRunner,
  w: Window,
  by: TokenGroupColumn,
  teams?: readonly string[],
): Promise<TokenGroupRow[]> {
  const col = (['team', 'app', 'model', 'region', 'deployment', 'environment', 'cost_center'] as const).find(
    (c) => c === by,
  );
  if (!col) throw new Error(`unknown token group column ${String(by)}`);
  const only = teams ? `AND team IN (${teams.map((_, i) => `$${i + 3}`).join(', ') || 'NULL'})` : '';
  const rows = await r.query(
    `SELECT ${col} AS key, model, provider, region, count(*) AS requests, sum(output_tokens) AS output
     FROM usage_events WHERE start_time >= $1 AND start_time < $2 ${only}
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4, 5, 6`,
    [w.from, w.to, ...(teams ?? [])],
  );
  return rows.map((row) => ({
    key: str(row['key']),
    model: String(row['model']),
    provider: String(row['provider']),
    region: str(row['region']),
    requests: Number(row['requests']),
    outputTokens: Number(row['output']),
  }));
}

/** Unit economics: requests, conversations (tags conversation_id/conversation/session_id) and active users. */
export async function usageActivity(
  r: SqlRunner,
  w: Window,
  by: 'app' | 'team' | 'all',
): Promise<ActivityRow[]> {
  const col = { app: 'app', team: 'team', all: "'all'" }[by];
  const t = (k: string) => r.dialect.jsonText('tags', k);
  const rows = await r.query(
    `SELECT ${col} AS scope, count(*) AS requests,
       count(DISTINCT coalesce(${t('conversation_id')}, ${t('conversation')}, ${t('session_id')})) AS conversations,
       count(DISTINCT end_user) AS users
     FROM usage_events WHERE start_time >= $1 AND start_time < $2 GROUP BY 1 ORDER BY 1`,
    [w.from, w.to],
  );
  return rows.map((row) => ({
    scope: str(row['scope']),
    requests: Number(row['requests']),
    conversations: Number(row['conversations']),
    activeUsers: Number(row['users']),
  }));
}

/**
 * Unit economics' activity per app, per team and overall from one scan (grouping sets): the JSON tags are read
 * once instead of once per scope. Each list is what `usageActivity` answers for that scope, in its order.
 */
export async function usageActivityScopes(r: SqlRunner, w: Window): Promise<ActivityScopes> {
  const t = (k: string) => r.dialect.jsonText('tags', k);
  const rows = await r.query(
    `SELECT GROUPING(app) AS g_app, GROUPING(team) AS g_team, app, team, count(*) AS requests,
       count(DISTINCT coalesce(${t('conversation_id')}, ${t('conversation')}, ${t('session_id')})) AS conversations,
       count(DISTINCT end_user) AS users
     FROM usage_events WHERE start_time >= $1 AND start_time < $2
     GROUP BY GROUPING SETS ((app), (team), ()) ORDER BY 1, 2, 3, 4`,
    [w.from, w.to],
  );
  const out: { app: ActivityRow[]; team: ActivityRow[]; all: ActivityRow[] } = { app: [], team: [], all: [] };
  for (const row of rows) {
    const byApp = Number(row['g_app']) === 0;
    const byTeam = Number(row['g_team']) === 0;
    const requests = Number(row['requests']);
    // Without events the empty grouping set still answers one row; `usageActivity` answers none.
    if (!byApp && !byTeam && requests === 0) continue;
    (byApp ? out.app : byTeam ? out.team : out.all).push({
      scope: byApp ? str(row['app']) : byTeam ? str(row['team']) : 'all',
      requests,
      conversations: Number(row['conversations']),
      activeUsers: Number(row['users']),
    });
  }
  return out;
}

/** Unit economics: KPI values whose day is in the window (values as exact decimal text). */
export async function listKpis(r: SqlRunner, w: Window): Promise<KpiRow[]> {
  const rows = await r.query(
    `SELECT CAST(day AS VARCHAR) AS day, app, team, kpi_group, metric, CAST(value AS VARCHAR) AS value FROM business_kpis
     WHERE day >= CAST($1 AS DATE) AND day < CAST($2 AS DATE)
     ORDER BY day, app, team, kpi_group, metric`,
    [day(w.from), day(w.to)],
  );
  return rows.map((row) => ({
    day: String(row['day']),
    app: str(row['app']),
    team: str(row['team']),
    group: str(row['kpi_group']),
    metric: String(row['metric']),
    value: String(row['value']),
  }));
}

/** Engineering view: requests, tokens, cache, errors and latency per model and deployment. */
export async function deploymentStats(r: SqlRunner, w: Window): Promise<DeploymentStatsRow[]> {
  const rows = await r.query(
    `SELECT model, deployment, deployment_type, count(*) AS requests,
       CAST(sum(input_tokens) AS VARCHAR) AS input_tokens, CAST(sum(cached_input_tokens) AS VARCHAR) AS cached,
       CAST(sum(output_tokens) AS VARCHAR) AS output_tokens,
       count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
       count(*) FILTER (WHERE http_status >= 400) AS errors,
       avg(duration_ms) AS avg_ms, percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
       avg(ttft_ms) AS ttft_ms,
       CAST(sum(cost_nanos) AS VARCHAR) AS cost, CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost
     FROM usage_events WHERE start_time >= $1 AND start_time < $2
     GROUP BY 1, 2, 3 ORDER BY sum(cost_nanos) DESC, model, deployment`,
    [w.from, w.to],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((row) => ({
    model: String(row['model']),
    deployment: str(row['deployment']),
    deploymentType: String(row['deployment_type']),
    requests: Number(row['requests']),
    inputTokens: BigInt(String(row['input_tokens'] ?? '0')),
    cachedInputTokens: BigInt(String(row['cached'] ?? '0')),
    outputTokens: BigInt(String(row['output_tokens'] ?? '0')),
    cacheHits: Number(row['cache_hits']),
    errors: Number(row['errors']),
    avgLatencyMs: num(row['avg_ms']),
    p95LatencyMs: num(row['p95_ms']),
    avgTtftMs: num(row['ttft_ms']),
    costNanos: BigInt(String(row['cost'] ?? '0')),
    listCostNanos: BigInt(String(row['list_cost'] ?? '0')),
  }));
}

/** Per month of ChargePeriodStart: its cost rows' count and newest ingest id. */
export async function costMonthStamps(r: SqlRunner): Promise<CostMonthStamp[]> {
  const rows = await r.query(
    `SELECT substr(${r.dialect.dayText('"ChargePeriodStart"')}, 1, 7) AS month, count(*) AS n,
       max(_ingest_id) AS last_id
     FROM cost_rows GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((row) => ({
    month: String(row['month']),
    rows: Number(row['n']),
    lastIngestId: String(row['last_id'] ?? ''),
  }));
}

/** Freshness: per export format, the last ingest, rows loaded and the latest charge period end stored. */
export async function ingestFreshness(r: SqlRunner): Promise<IngestFreshnessRow[]> {
  const rows = await r.query(
    `SELECT i.format AS format, max(i.ingested_at) AS last_ingest, sum(i.rows_loaded) AS n,
       (SELECT max("ChargePeriodEnd") FROM cost_rows) AS last_charge
     FROM ingests i GROUP BY i.format ORDER BY i.format`,
  );
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));
  return rows.map((row) => ({
    format: String(row['format']),
    lastIngestAt: at(row['last_ingest']),
    rows: Number(row['n'] ?? 0),
    lastChargeAt: at(row['last_charge']),
  }));
}

/** The end of the newest daily charge period (of any period when the exports are monthly only), or null. */
export async function exportThrough(r: SqlRunner): Promise<Date | null> {
  const d = r.dialect;
  const [row] = await r.query(
    `SELECT ${d.epochMs(`coalesce(
        max("ChargePeriodEnd") FILTER (WHERE "ChargePeriodEnd" <= "ChargePeriodStart" + INTERVAL '1 day'),
        max("ChargePeriodEnd"))`)} AS through FROM cost_rows`,
  );
  const v = row?.['through'];
  if (v === null || v === undefined) return null;
  const ms = Number(v);
  return Number.isFinite(ms) ? new Date(Math.ceil(ms / 86_400_000) * 86_400_000) : null;
}

/** The billing currencies of a window's cost rows (null-free, sorted). */
export async function billingCurrencies(r: SqlRunner, w: Window): Promise<string[]> {
  const rows = await r.query(
    `SELECT DISTINCT "BillingCurrency" AS c FROM cost_rows
      WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND "BillingCurrency" IS NOT NULL ORDER BY 1`,
    [w.from, w.to],
  );
  return rows.map((x) => String(x['c']));
}

/** Exchange rates carried by a window's cost rows (pricing → billing currency), first day each was used. */
export async function exportExchangeRates(r: SqlRunner, w: Window): Promise<ExportRateRow[]> {
  const d = r.dialect;
  const rate = `coalesce(${d.jsonText('"x_Extra"', 'x_BillingExchangeRate')}, ${d.jsonText('"x_Extra"', 'x_ExchangeRatePricingToBilling')})`;
  const rows = await r.query(
    `SELECT "PricingCurrency" AS p, "BillingCurrency" AS b, trim(${rate}) AS rate,
       ${d.dayText('min("ChargePeriodStart")')} AS day
     FROM cost_rows
     WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2
       AND "PricingCurrency" IS NOT NULL AND "BillingCurrency" IS NOT NULL AND ${rate} IS NOT NULL
     GROUP BY 1, 2, 3 ORDER BY 4, 1, 2`,
    [w.from, w.to],
  );
  return rows.map((x) => ({
    day: String(x['day']),
    pricingCurrency: String(x['p']).trim().toUpperCase(),
    billingCurrency: String(x['b']).trim().toUpperCase(),
    rate: String(x['rate']),
  }));
}

/** Maturity: tag coverage, gateway share of token list cost, key limits, KPI coverage and triage. */
export async function maturityFacts(r: SqlRunner, w: Window): Promise<MaturityFactsRow> {
  const p = [w.from, w.to];
  const [u] = await r.query(
    `SELECT CAST(coalesce(sum(cost_nanos), 0) AS VARCHAR) AS cost,
       CAST(coalesce(sum(cost_nanos) FILTER (WHERE team IS NOT NULL AND app IS NOT NULL), 0) AS VARCHAR) AS tagged,
       CAST(coalesce(sum(list_cost_nanos), 0) AS VARCHAR) AS list, count(DISTINCT app) AS apps
     FROM usage_events WHERE start_time >= $1 AND start_time < $2`,
    p,
  );
  const teams = await r.query(
    `SELECT DISTINCT team FROM usage_events WHERE start_time >= $1 AND start_time < $2 AND team IS NOT NULL ORDER BY 1`,
    p,
  );
  const [c] = await r.query(
    `SELECT count(*) AS n, CAST(coalesce(sum("ListCost"), 0) * 1000000000 AS VARCHAR) AS list FROM cost_rows
     WHERE "x_AiTokenType" IS NOT NULL AND "x_AiTokenType" <> 'none'
       AND "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2`,
    p,
  );
  const j = (k: string) => `${r.dialect.jsonValue('config', k)} IS NOT NULL`;
  const [k] = await r.query(
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${j('allowedModels')} OR ${j('tpm')} OR ${j('budget')}
       OR ${j('quota')}) AS limited
     FROM virtual_keys WHERE status = 'active'`,
  );
  const [kpis] = await r.query(
    `SELECT count(DISTINCT app) AS n FROM business_kpis WHERE day >= CAST($1 AS DATE) AND day < CAST($2 AS DATE)`,
    [day(w.from), day(w.to)],
  );
  const [triaged] = await r.query(`SELECT count(*) AS n FROM incident_states WHERE state <> 'new'`);
  return {
    ledgerCostNanos: big(u?.['cost']),
    taggedCostNanos: big(u?.['tagged']),
    ledgerListNanos: big(u?.['list']),
    exportTokenListNanos: Number(c?.['n'] ?? 0) > 0 ? big(c?.['list']) : null,
    activeKeys: Number(k?.['n'] ?? 0),
    keysWithLimits: Number(k?.['limited'] ?? 0),
    teamsWithSpend: teams.map((row) => String(row['team'])),
    appsWithSpend: Number(u?.['apps'] ?? 0),
    appsWithKpis: Number(kpis?.['n'] ?? 0),
    incidentsTriaged: Number(triaged?.['n'] ?? 0),
  };
}
