/** Tools beyond the reports: what can be asked (dimensions), why spend moved, prices and estimates, admin SQL. */
import { z } from 'zod';
import { monthWindow, nanosToDecimalString, previousMonth, sumNanos, tokenCost } from '../core/index.js';
import { FOCUS_COLUMNS } from '../store/index.js';
import { day, defineTool, limit, month, opts, type Tool } from './_tool.js';
import { amountNanos, topRows } from './_bound.js';
import { explainChange, scopeChangeJson, type ChangeCell } from './_explain.js';

type Row = Record<string, unknown>;
const rows = (doc: unknown): Row[] => (Array.isArray(doc) ? (doc as Row[]) : []);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

const getDimensions = defineTool({
  name: 'get_dimensions',
  description:
    'What you can group and filter by: the cost columns (FOCUS and x_ columns) for get_costs, the usage ' +
    'dimensions, and the teams, apps and models seen in a window (top 50 each by metered cost). Call this first ' +
    'when unsure of a name.',
  permission: 'read',
  input: z.strictObject({
    from: day('window start, inclusive; default 30 days ago').optional(),
    to: day('window end, exclusive; default today').optional(),
  }),
  async run(a, ctx) {
    const to = a.to ?? isoDay(ctx.now());
    const from = a.from ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - 30 * 86_400_000));
    // One usage report by team, app and model (grouped by team, so a team-scoped caller may run it too), then
    // each dimension's values ranked by their exact metered cost.
    const r = rows(await ctx.report(['usage', ...opts({ by: 'team,app,model', from, to })]));
    const values: Record<string, unknown> = {};
    for (const dim of ['team', 'app', 'model'] as const) {
      const cost = new Map<string, bigint>();
      for (const x of r) {
        const v = String(x[dim] ?? '(none)');
        cost.set(v, (cost.get(v) ?? 0n) + amountNanos(x['costUsd']));
      }
      values[dim] = [...cost]
        .sort(([a, x], [b, y]) => (x === y ? a.localeCompare(b) : x > y ? -1 : 1))
        .slice(0, 50)
        .map(([v]) => v);
    }
    return {
      window: { from, to },
      costColumns: FOCUS_COLUMNS.filter((c) => c.type === 'string').map((c) => c.name),
      costTagColumn: 'Tags (JSON; the team tag scopes team tokens)',
      usageDimensions: ['team', 'app', 'environment', 'cost_center', 'model', 'deployment', 'region'],
      values,
    };
  },
});

const explainChangeTool = defineTool({
  name: 'explain_change',
  description:
    'Why metered AI spend moved between two months: which teams or apps moved and by how much, each change ' +
    'split exactly into volume (more or fewer requests), mix (requests moved between cheaper and dearer models), ' +
    'price (cost per request on the same model) and new or gone models and scopes. Largest moves first.',
  permission: 'read',
  input: z.strictObject({
    period: month('the later month'),
    baseline: month('the earlier month; default the month before period').optional(),
    by: z.enum(['team', 'app']).default('team').describe('the scope that moved'),
    limit: limit(10, 50, 'scopes'),
  }),
  async run(a, ctx) {
    const baseline = a.baseline ?? previousMonth(a.period);
    const cells = async (period: string): Promise<ChangeCell[]> => {
      const w = monthWindow(period);
      const r = rows(
        await ctx.report(['usage', ...opts({ by: `${a.by},model`, from: isoDay(w.from), to: isoDay(w.to) })]),
      );
      return r.map((x) => ({
        scope: String(x[a.by] ?? '(none)'),
        model: String(x['model'] ?? '(none)'),
        volume: BigInt(typeof x['requests'] === 'number' ? x['requests'] : 0),
        cost: amountNanos(x['costUsd']),
      }));
    };
    const changes = explainChange(await cells(baseline), await cells(a.period));
    const total = (f: (s: (typeof changes)[number]) => bigint) =>
      nanosToDecimalString(sumNanos(changes.map(f)));
    const { rows: top, ...counts } = topRows(changes, a.limit);
    return {
      source: 'metered usage (gateway ledger)',
      // The ledger is priced from the catalog, in USD.
      currency: 'USD',
      period: a.period,
      baseline,
      by: a.by,
      totals: {
        beforeUsd: total((s) => s.before),
        afterUsd: total((s) => s.after),
        changeUsd: total((s) => s.change),
        volumeUsd: total((s) => s.volumeEffect),
        mixUsd: total((s) => s.mixEffect),
        priceUsd: total((s) => s.priceEffect),
        newUsd: total((s) => s.newEffect),
        goneUsd: total((s) => s.goneEffect),
      },
      ...counts,
      scopes: top.map(scopeChangeJson),
    };
  },
});

const tokens = (what: string) =>
  z.number().int().min(0).max(1e13).default(0).describe(`${what} tokens (0 to 10^13)`);

const getPrices = defineTool({
  name: 'get_prices',
  description:
    "Token prices from Tally's catalog for one model (list and your effective rates, per deployment type), and " +
    'optionally what a given number of tokens would cost at each.',
  permission: 'read',
  input: z.strictObject({
    model: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'a model name')
      .describe('model name, e.g. gpt-4o-mini'),
    deployment: z
      .enum(['global-standard', 'data-zone', 'regional', 'batch', 'provisioned', 'fine-tuned'])
      .optional()
      .describe('deployment type'),
    estimate: z
      .strictObject({
        inputTokens: tokens('uncached input'),
        cachedInputTokens: tokens('cached input'),
        outputTokens: tokens('output'),
      })
      .optional()
      .describe('price these token counts at each rate'),
    limit: limit(12, 40, 'price rows'),
  }),
  async run(a, ctx) {
    const prices = rows(await ctx.report(['prices', ...opts({ model: a.model, deployment: a.deployment })]));
    const e = a.estimate;
    const nanos = amountNanos;
    const priced = prices.map((p) => {
      if (!e) return p;
      const cost = sumNanos([
        tokenCost(e.inputTokens, nanos(p['effectiveInputPerMTokUsd'])),
        tokenCost(
          e.cachedInputTokens,
          nanos(p['effectiveCachedInputPerMTokUsd'] ?? p['effectiveInputPerMTokUsd']),
        ),
        tokenCost(e.outputTokens, nanos(p['effectiveOutputPerMTokUsd'])),
      ]);
      return { ...p, currency: 'USD', estimateUsd: nanosToDecimalString(cost) };
    });
    return { model: a.model, estimate: e ?? null, ...topRows(priced, a.limit) };
  },
});

const runSql = defineTool({
  name: 'run_sql',
  description:
    "Admin only: one read-only SQL query (SELECT, WITH, DESCRIBE, SHOW) on the store's own tables " +
    '(cost_rows, usage_events, ...), in the sandbox with no file or network access; at most `limit` rows.',
  permission: 'sql',
  input: z.strictObject({
    query: z.string().min(1).max(4000).describe('one read-only statement'),
    limit: limit(50, 200),
  }),
  async run(a, ctx) {
    return topRows(rows(await ctx.report(['sql', '--', a.query])), a.limit);
  },
});

/** Tools beside the reports. */
export const MORE_TOOLS: readonly Tool[] = [getDimensions, explainChangeTool, getPrices, runSql];
