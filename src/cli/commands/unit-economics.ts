/** `tally unit-economics`: cost per request, conversation, active user and business outcome, with trend. */
import { resolve } from 'node:path';
import {
  TallyError,
  describeRates,
  formatMoney,
  monthWindow,
  parseUsd,
  previousMonth,
  type AppliedRate,
} from '../../core/index.js';
import {
  allocationSettings,
  LEDGER_CURRENCY,
  ratesFor,
  tagUnitEconomics,
  type TagUsage,
  totalsByConsumer,
  type PeriodAllocation,
  loadActivity,
  loadStoredKpis,
  readKpiFile,
  unitEconomics,
  type KpiValue,
  type UnitPeriod,
} from '../../analytics/index.js';
import type { CostStore } from '../../store/index.js';
import { defineCommand, type CommandContext } from '../command.js';
import { allocateWithPrevious, periodOption, viewOption } from './_allocation-report.js';

export const unitEconomicsCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    kpi: {
      type: 'string',
      description: 'CSV of date, app and/or team, metric, value (default: stored KPIs)',
    },
    by: {
      type: 'string',
      description:
        'app (default; team for --view finance), team, feature or tag:KEY (request tags, ledger basis)',
    },
    view: {
      type: 'string',
      description: 'finance (per team: cost, outcomes, revenue share) or engineering (per app: per request)',
    },
  },
  async run(ctx) {
    const period = periodOption(ctx);
    monthWindow(period);
    const view = viewOption(ctx);
    const byRaw = ctx.str('by') ?? (view === 'finance' ? 'team' : 'app');
    const tagKey = byRaw === 'feature' ? 'feature' : /^tag:.+/.test(byRaw) ? byRaw.slice(4) : null;
    if (tagKey !== null) return byTag(ctx, period, tagKey);
    if (byRaw !== 'app' && byRaw !== 'team')
      throw new TallyError('invalid_input', `--by "${byRaw}": use app, team, feature or tag:KEY`, {
        field: 'by',
      });
    const by = byRaw;
    const kpiPath = ctx.str('kpi');
    const fileKpis = kpiPath ? readKpiFile(resolve(kpiPath)) : null;
    const { store, current, previous } = await allocateWithPrevious(ctx, period, true);
    const load = async (pa: PeriodAllocation): Promise<UnitPeriod> => {
      const w = monthWindow(pa.period);
      const inWindow = (k: KpiValue) => k.day >= isoDay(w.from) && k.day < isoDay(w.to);
      const kpis = fileKpis ? fileKpis.filter(inWindow) : await loadStoredKpis(store, w);
      const totals = totalsByConsumer(pa.result, by);
      // Activity counts of a closed month are shared with other reports of a serving process (ADR 0033).
      const shared = <T>(key: string, read: () => Promise<T>) =>
        ctx.memo ? ctx.memo.get(pa.period, key, read) : read();
      return {
        costs: new Map([...totals].map(([k, t]) => [k, t.direct + t.shared])),
        totalNanos: pa.result.totalNanos,
        activity: await shared(`activity/${by}`, () => loadActivity(store, w, by)),
        overall: await shared('activity/all', () => overallActivity(store, w)),
        kpis,
      };
    };
    const cur = await load(current);
    const prev = previous ? await load(previous) : null;
    const { rows, total } = unitEconomics(cur, prev, by);
    if (ctx.json) {
      ctx.out.json({
        period,
        previousPeriod: previousMonth(period),
        by,
        ...(view ? { view } : {}),
        kpiSource: kpiPath ? resolve(kpiPath) : 'store',
        currency: current.currency.currency,
        exchangeRates: current.currency.rates,
        rows,
        total,
      });
      return;
    }
    ctx.out.line(
      `Unit economics ${period} by ${by}: AI cost ${formatMoney(cur.totalNanos, current.currency.currency)}`,
    );
    ctx.out.line(describeRates(current.currency.currency, current.currency.rates));
    const flat = [...rows, { [by]: '(all)', ...total }].map((r) => ({
      [by]: r[by],
      costUsd: r['costUsd'],
      requests: r['requests'],
      costPerRequestUsd: r['costPerRequestUsd'],
      costPerConversationUsd: r['costPerConversationUsd'],
      costPerActiveUserUsd: r['costPerActiveUserUsd'],
      aiCostShareOfRevenue: r['aiCostShareOfRevenue'],
      outcomes: (r['outcomes'] as { metric: string; costPerUnitUsd: number | null }[])
        .map((o) => `${o.metric} $${o.costPerUnitUsd === null ? '-' : o.costPerUnitUsd.toFixed(4)}`)
        .join('; '),
      costChangePct: (r['trend'] as { costChangePct: number | null } | null)?.costChangePct ?? null,
      costPerRequestChangePct:
        (r['trend'] as { costPerRequestChangePct: number | null } | null)?.costPerRequestChangePct ?? null,
    }));
    const columns =
      view === 'finance'
        ? [by, 'costUsd', 'outcomes', 'aiCostShareOfRevenue', 'costChangePct']
        : view === 'engineering'
          ? [
              by,
              'requests',
              'costPerRequestUsd',
              'costPerConversationUsd',
              'costPerActiveUserUsd',
              'costPerRequestChangePct',
            ]
          : undefined;
    ctx.out.table(flat, columns);
  },
});

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * `--by feature` / `--by tag:K`: cost and requests per request-tag value on the ledger basis (what
 * `tally usage --by tag:K` sums), converted to reporting.currency when it is not the ledger's USD.
 */
async function byTag(ctx: CommandContext, period: string, key: string): Promise<void> {
  const settings = allocationSettings(ctx.config());
  const currency = settings.currency ?? LEDGER_CURRENCY;
  const store = await ctx.openStore({ readOnly: true });
  const used = new Map<string, AppliedRate>();
  const load = async (p: string): Promise<TagUsage[]> => {
    const w = monthWindow(p);
    const aggs = await store.aggregateUsage({ from: w.from, to: w.to, by: [`tag:${key}`] });
    const rates = currency === LEDGER_CURRENCY ? null : await ratesFor(store, w, settings.rates ?? []);
    return aggs.map((a) => {
      let costNanos = a.costNanos;
      if (rates) {
        const c = rates.convert(costNanos, LEDGER_CURRENCY, currency, isoDay(w.from));
        used.set(`${c.rate.day}:${c.rate.source}`, c.rate);
        costNanos = c.nanos;
      }
      return { value: Object.values(a.dims)[0] ?? null, requests: a.requests, costNanos };
    });
  };
  const by = key === 'feature' ? 'feature' : `tag:${key}`;
  const { rows, total } = tagUnitEconomics(await load(period), await load(previousMonth(period)), by);
  const doc = {
    period,
    previousPeriod: previousMonth(period),
    by,
    basis: 'ledger',
    currency,
    exchangeRates: [...used.values()],
    kpiSource: null,
    rows,
    total,
  };
  if (ctx.json) return ctx.out.json(doc);
  ctx.out.line(
    `Unit economics ${period} by ${by} (ledger basis, request tags): AI cost ${formatMoney(total['costUsd'] === undefined ? 0n : toNanos(total['costUsd']), currency)}`,
  );
  ctx.out.line(describeRates(currency, [...used.values()]));
  ctx.out.table(
    [...rows, { [by]: '(all)', ...total }].map((r) => ({
      [by]: r[by],
      costUsd: r['costUsd'],
      requests: r['requests'],
      costPerRequestUsd: r['costPerRequestUsd'],
      shareOfCost: r['shareOfCost'] ?? null,
      costPerRequestChangePct:
        (r['trend'] as { costPerRequestChangePct: number | null } | null | undefined)
          ?.costPerRequestChangePct ?? null,
    })),
  );
}

const toNanos = (usd: unknown) => parseUsd(String(usd));

async function overallActivity(store: CostStore, w: { from: Date; to: Date }) {
  const [all] = await loadActivity(store, w, 'all');
  return all ?? { scope: 'all', requests: 0, conversations: 0, activeUsers: 0 };
}
