/**
 * Tools over the CLI's reports: each runs the same command the API runs (`tally <report> --json`) as the
 * caller, so its figures are the CLI's, then keeps the top rows and a summary.
 */
import { z } from 'zod';
import { column, day, defineTool, limit, month, opts, type Tool } from './_tool.js';
import { sumCostRows } from '../ingest/index.js';
import { amountNanos, topRows } from './_bound.js';

type Row = Record<string, unknown>;
const rowsOf = (doc: unknown, key?: string): Row[] => {
  const v = key ? (doc as Record<string, unknown> | null)?.[key] : doc;
  return Array.isArray(v) ? (v as Row[]) : [];
};

const getCosts = defineTool({
  name: 'get_costs',
  description:
    'Billed, effective and list cost (USD) from the ingested cost exports (FOCUS), grouped by up to 3 columns ' +
    'over a window, largest billed cost first. Returns the top rows plus exact totals over all rows. ' +
    'Rows are only the teams your token may see.',
  permission: 'read',
  input: z.strictObject({
    from: day('window start, inclusive'),
    to: day('window end, exclusive'),
    by: z
      .union([z.array(column).min(1).max(3), column.transform((c) => [c])])
      .default(['ServiceName'])
      .describe(
        'grouping columns: FOCUS or x_ columns, or tags (team, app, Tags.<key>), e.g. ["x_AiModel"] or "team"',
      ),
    filters: z
      .array(z.strictObject({ column, value: z.string().max(200).describe('exact value') }))
      .max(5)
      .default([])
      .describe('equality filters, all must hold'),
    aiOnly: z.boolean().default(false).describe('only rows classified as AI spend'),
    granularity: z.enum(['day', 'week', 'month']).optional().describe('adds a date column per bucket'),
    limit: limit(20, 100),
  }),
  async run(a, ctx) {
    const argv = ['costs', ...opts({ from: a.from, to: a.to, by: a.by.join(','), 'ai-only': a.aiOnly })];
    if (a.granularity) argv.push(`--granularity=${a.granularity}`);
    for (const f of a.filters) argv.push(`--filter=${f.column}=${f.value}`);
    const rows = rowsOf(await ctx.report(argv));
    return {
      window: { from: a.from, to: a.to },
      by: a.by,
      // Rows stay per billing currency; totals add their reporting-currency amounts, never two currencies.
      totals: costTotals(rows),
      ...topRows(rows, a.limit),
    };
  },
});

const getBudgets = defineTool({
  name: 'get_budgets',
  description:
    'Every budget you may see: amount, spent so far, forecast at period end (p10-p90) and crossed thresholds.',
  permission: 'read',
  input: z.strictObject({ at: day('evaluate as of this date').optional(), limit: limit(20, 100, 'budgets') }),
  async run(a, ctx) {
    const rows = rowsOf(await ctx.report(['budgets', 'status', ...opts({ at: a.at })]));
    return topRows(rows, a.limit);
  },
});

const getAnomalies = defineTool({
  name: 'get_anomalies',
  description:
    'Cost incidents in a window (one per underlying event: spikes, drops, level shifts, idle capacity that keeps ' +
    'billing), each with every affected scope, its root cause (the most specific scope), its dollar impact or ' +
    'waste per day, and its state (new, acknowledged, resolved); largest impact first.',
  permission: 'read',
  input: z.strictObject({
    from: day('window start, inclusive'),
    to: day('window end, exclusive'),
    limit: limit(10, 50, 'incidents'),
  }),
  async run(a, ctx) {
    const doc = await ctx.report(['anomalies', ...opts({ from: a.from, to: a.to })]);
    const all = rowsOf(doc, 'incidents');
    const impact = (r: Row) => {
      const n = amountNanos(r['impactUsd']);
      return n < 0n ? -n : n;
    };
    const sorted = [...all].sort((x, y) => {
      const d = impact(y) - impact(x);
      return d > 0n ? 1 : d < 0n ? -1 : 0;
    });
    const { rows, ...counts } = topRows(sorted, a.limit);
    return {
      window: { from: a.from, to: a.to },
      // Impacts are in the report's currency (reporting.currency): the assistant must say which.
      currency: (doc as Row)['currency'],
      ...counts,
      incidents: rows.map((r) => {
        const { scopes, ...rest } = r;
        // The five first scopes are enough to say where; the full list stays in the API.
        return { ...rest, scopes: Array.isArray(scopes) ? scopes.slice(0, 5) : scopes };
      }),
    };
  },
});

const getForecast = defineTool({
  name: 'get_forecast',
  description:
    'Daily spend forecast (p10/p50/p90) from the metered ledger for the organisation or one scope. A team-scoped ' +
    'token forecasts its own teams only.',
  permission: 'read',
  input: z.strictObject({
    scope: z
      .string()
      .regex(/^(all|(team|app|model|key|cost_center)=[A-Za-z0-9._:@/ -]{1,100})$/, 'all or dimension=value')
      .optional()
      .describe('all, or dimension=value (team, app, model, key, cost_center), e.g. team=search'),
    horizon: z.number().int().min(1).max(92).default(30).describe('days ahead (1-92)'),
  }),
  async run(a, ctx) {
    return ctx.report(['forecast', ...opts({ scope: a.scope, horizon: a.horizon })]);
  },
});

const getRecommendations = defineTool({
  name: 'get_recommendations',
  description:
    'Savings you can act on (PTU right-sizing, reservations, idle deployments, batch, cheaper models), ranked by ' +
    'monthly savings, with the action and confidence.',
  permission: 'read',
  input: z.strictObject({
    period: month('month to assess; default the latest with data').optional(),
    limit: limit(5, 20, 'recommendations'),
  }),
  async run(a, ctx) {
    const doc = (await ctx.report(['recommend', ...opts({ period: a.period })])) as Row;
    const { rows, ...counts } = topRows(rowsOf(doc, 'recommendations'), a.limit);
    return {
      period: doc['period'],
      currency: doc['currency'],
      exchangeRates: doc['exchangeRates'],
      totalMonthlySavingsUsd: doc['totalMonthlySavingsUsd'],
      totalMonthlyListSavingsUsd: doc['totalMonthlyListSavingsUsd'],
      ...counts,
      // Evidence (its SQL and inputs) stays in `tally recommend --json`; the assistant gets what and why.
      recommendations: rows.map(({ evidence: _evidence, ...r }) => r),
      notes: doc['notes'],
    };
  },
});

const getChargeback = defineTool({
  name: 'get_chargeback',
  description:
    'Direct and allocated shared AI cost per team (or cost center, app, environment) for a month, with the ' +
    'change from the month before.',
  permission: 'read',
  input: z.strictObject({
    period: month('the month'),
    by: z.enum(['team', 'cost-center', 'app', 'environment']).default('team').describe('grouping'),
    view: z
      .enum(['finance', 'engineering'])
      .optional()
      .describe('finance: invoice basis; engineering: metered'),
    limit: limit(20, 100),
  }),
  async run(a, ctx) {
    const doc = (await ctx.report([
      'chargeback',
      ...opts({ period: a.period, by: a.by, view: a.view }),
    ])) as Row;
    const { rows: _all, ...head } = doc;
    return { ...head, ...topRows(rowsOf(doc, 'rows'), a.limit) };
  },
});

const getUnitEconomics = defineTool({
  name: 'get_unit_economics',
  description:
    'AI cost per request, conversation, active user and business outcome for a month, per app, team or declared ' +
    'group of apps (a KPI is divided only by the cost of the scope it belongs to), with the ' +
    'trend against the month before (organisation-wide: finance and admin tokens).',
  permission: 'read-org',
  input: z.strictObject({
    period: month('the month'),
    by: z.enum(['app', 'team', 'group']).default('app').describe('grouping (group: unitEconomics.groups)'),
    limit: limit(20, 100),
  }),
  async run(a, ctx) {
    const doc = (await ctx.report(['unit-economics', ...opts({ period: a.period, by: a.by })])) as Row;
    const { rows: _all, ...head } = doc;
    return { ...head, ...topRows(rowsOf(doc, 'rows'), a.limit) };
  },
});

/** The report tools. */
export const REPORT_TOOLS: readonly Tool[] = [
  getCosts,
  getBudgets,
  getAnomalies,
  getForecast,
  getRecommendations,
  getChargeback,
  getUnitEconomics,
];

function costTotals(rows: readonly Record<string, unknown>[]): Record<string, string | null> {
  const [billed, effective, list] = (['billedCost', 'effectiveCost', 'listCost'] as const).map((k) =>
    sumCostRows(rows, k),
  );
  return {
    // `...Usd` names predate reporting.currency; `currency` says which one the amounts are in.
    currency: effective!.currency,
    billedCostUsd: billed!.total,
    effectiveCostUsd: effective!.total,
    listCostUsd: list!.total,
    ...(effective!.reason ? { notAdded: effective!.reason } : {}),
  };
}
