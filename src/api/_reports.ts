/**
 * The API's reports are the CLI's reports: each maps its query parameters onto the command's options and
 * returns exactly what `tally <command> --json` prints (one shape, one serializer). Unknown parameters are
 * refused so a typo never silently widens a report.
 */
import { TallyError } from '../core/index.js';
import type { Permission } from './_roles.js';

/** How one query parameter becomes a command option. */
interface Param {
  readonly flag: string;
  /** Repeatable (`?team=a&team=b`). */
  readonly multi?: boolean;
  /** A switch: `true`/`1` adds the flag, anything else leaves it off. */
  readonly bool?: boolean;
  /** A whole number no larger than this (work and answer size grow with it). */
  readonly maxInt?: number;
  readonly description: string;
}

/** One report. */
export interface ReportSpec {
  readonly command: readonly string[];
  readonly params: Readonly<Record<string, Param>>;
  readonly permission: Permission;
  readonly summary: string;
  /** Always computed fresh (the ledger moves every second; keys and freshness are cheap). */
  readonly live?: boolean;
}

const p = (flag: string, description: string, more: Partial<Param> = {}): Param => ({
  flag,
  description,
  ...more,
});
const WINDOW = {
  from: p('from', 'window start, inclusive (UTC date or time)'),
  to: p('to', 'window end, exclusive (UTC date or time)'),
};
const PERIOD = { period: p('period', 'UTC calendar month YYYY-MM') };
// The cost basis (ADR 0024): the export ledger-filled past its last day (default), or the ledger alone.
const BASIS = {
  basis: p('basis', 'export (default) or ledger'),
  metric: p('metric', 'amortized (default) or billed'),
};

/** Every report the API serves, by path name under /api/v1/. */
export const REPORTS = {
  costs: {
    command: ['costs'],
    summary: 'billed, effective and list cost grouped by any FOCUS or x_ column',
    permission: 'read',
    params: {
      ...WINDOW,
      by: p('by', 'grouping columns, comma-separated'),
      granularity: p('granularity', 'day, week or month buckets (adds `date`)'),
      filter: p('filter', 'COL=VALUE, repeatable', { multi: true }),
      aiOnly: p('ai-only', 'only AI spend', { bool: true }),
      top: p('top', 'keep the N largest groups by effective cost, the rest as one "(other)" group'),
      compare: p(
        'compare',
        'add `previous` amounts and `changePct` for the period before (needs from and to)',
        {
          bool: true,
        },
      ),
      total: p('total', 'a {currency, exchangeRates, rows, total} document, total in reporting.currency', {
        bool: true,
      }),
    },
  },
  usage: {
    command: ['usage'],
    summary: 'metered usage and cost from the gateway ledger',
    permission: 'read',
    live: true,
    params: { ...WINDOW, by: p('by', 'dimensions, comma-separated (team, app, model, day, ...)') },
  },
  chargeback: {
    command: ['chargeback'],
    summary: 'direct and allocated shared cost per team, cost center, app or environment',
    permission: 'read',
    params: {
      ...PERIOD,
      by: p('by', 'team, cost-center, app or environment'),
      view: p('view', 'finance or engineering'),
      team: p('team', 'only these teams (repeatable)', { multi: true }),
      ...BASIS,
    },
  },
  reconcile: {
    command: ['reconcile'],
    summary: 'metered vs billed per deployment, variance explained',
    permission: 'read-org',
    params: { ...PERIOD, view: p('view', 'finance or engineering') },
  },
  'unit-economics': {
    command: ['unit-economics'],
    summary:
      'cost per request, conversation, user and outcome; per app, team, declared group, feature or request tag',
    // Team-scoped roles may read it by feature or tag:KEY (their teams' traffic only); the command refuses
    // them app, team and group, which span every team.
    permission: 'read',
    params: {
      ...PERIOD,
      by: p('by', 'app, team, group (unitEconomics.groups), feature or tag:KEY (request tags, ledger basis)'),
      view: p('view', 'finance or engineering'),
    },
  },
  budgets: {
    command: ['budgets', 'status'],
    summary: 'every budget: spent, forecast at period end, crossed thresholds',
    permission: 'read',
    params: { at: p('at', 'evaluate as of this date'), ...BASIS },
  },
  forecast: {
    command: ['forecast'],
    summary: 'daily spend forecast with p10/p50/p90',
    permission: 'read',
    params: {
      scope: p('scope', 'all or dimension=value, e.g. team=search'),
      horizon: p('horizon', 'days ahead (1-366)', { maxInt: 366 }),
      season: p('season', 'season length in points'),
      ...BASIS,
    },
  },
  anomalies: {
    command: ['anomalies'],
    summary: 'anomaly incidents: scopes, root cause, dollar impact, idle waste, lifecycle state',
    permission: 'read',
    params: { ...WINDOW },
  },
  freshness: {
    command: ['freshness'],
    summary: 'last ingest and last event per source',
    permission: 'read-org',
    live: true,
    params: {},
  },
  recommend: {
    command: ['recommend'],
    summary: "ranked monthly savings with their evidence (team-scoped roles: their teams' apps only)",
    permission: 'read',
    params: { period: p('period', 'UTC calendar month YYYY-MM (default the latest month with data)') },
  },
  carbon: {
    command: ['carbon'],
    summary: 'energy (Wh) and emissions (gCO2e) as low-high ranges (team-scoped roles: their teams only)',
    permission: 'read',
    params: {
      period: p('period', 'UTC calendar month YYYY-MM (default the latest month with data)'),
      by: p('by', 'team, app, model, region, deployment, environment or cost-center'),
      basis: p('basis', 'location (default) or market'),
      marketFactor: p('market-factor', 'market-based gCO2e/kWh (with basis=market)'),
    },
  },
  maturity: {
    command: ['maturity'],
    summary: 'crawl / walk / run per FinOps-for-AI capability, with evidence and the next step',
    permission: 'read-org',
    params: { period: p('period', 'UTC calendar month YYYY-MM (default the latest month with data)') },
  },
  prices: {
    command: ['prices'],
    summary: 'token prices by model and deployment type (list and effective), imported sheets included',
    permission: 'read',
    params: {
      model: p('model', 'model name or alias'),
      deployment: p('deployment', 'deployment type (global-standard, data-zone, ...)'),
      provider: p('provider', 'azure, openai or anthropic'),
      at: p('at', 'prices in effect on this date (default today)'),
      all: p('all', 'include superseded prices', { bool: true }),
    },
  },
  keys: {
    command: ['keys', 'list'],
    summary: 'gateway virtual keys (ids and hints only)',
    permission: 'keys',
    live: true,
    params: { all: p('all', 'include revoked keys', { bool: true }) },
  },
} as const satisfies Record<string, ReportSpec>;

/** A report's name. */
export type ReportName = keyof typeof REPORTS;

/** The command line for a report request (with --json), or invalid_input naming the bad parameter. */
export function reportArgv(name: ReportName, query: URLSearchParams, paging: ReadonlySet<string>): string[] {
  const spec: ReportSpec = REPORTS[name];
  const argv = [...spec.command, '--json'];
  for (const key of new Set(query.keys())) {
    if (paging.has(key)) continue;
    const param = spec.params[key];
    if (!param)
      throw new TallyError('invalid_input', `unknown parameter "${key}" for ${name}`, {
        param: key,
        allowed: [...Object.keys(spec.params), ...paging],
      });
    const values = query.getAll(key);
    if (param.bool) {
      if (values.some((v) => v === 'true' || v === '1')) argv.push(`--${param.flag}`);
      continue;
    }
    if (!param.multi && values.length > 1)
      throw new TallyError('invalid_input', `give "${key}" once`, { param: key });
    const max = param.maxInt;
    if (max !== undefined && values.some((v) => !/^\d{1,9}$/.test(v) || Number(v) > max))
      throw new TallyError('invalid_input', `"${key}" is a whole number up to ${max}`, { param: key, max });
    for (const v of values) argv.push(`--${param.flag}=${v}`);
  }
  return argv;
}
