/** `tally unit-economics`: cost per request, conversation, active user and business outcome, with trend. */
import { resolve } from 'node:path';
import { TallyError, formatUsd, monthWindow, previousMonth } from '../../core/index.js';
import {
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
import { defineCommand } from '../command.js';
import { allocateWithPrevious, periodOption, viewOption } from './_allocation-report.js';

export const unitEconomicsCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    kpi: {
      type: 'string',
      description: 'CSV of date, app and/or team, metric, value (default: stored KPIs)',
    },
    by: { type: 'string', description: 'app (default; team for --view finance) or team' },
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
    if (byRaw !== 'app' && byRaw !== 'team')
      throw new TallyError('invalid_input', `--by "${byRaw}": use app or team`, { field: 'by' });
    const by = byRaw;
    const kpiPath = ctx.str('kpi');
    const fileKpis = kpiPath ? readKpiFile(resolve(kpiPath)) : null;
    const { store, current, previous } = await allocateWithPrevious(ctx, period, true);
    const load = async (pa: PeriodAllocation): Promise<UnitPeriod> => {
      const w = monthWindow(pa.period);
      const inWindow = (k: KpiValue) => k.day >= isoDay(w.from) && k.day < isoDay(w.to);
      const kpis = fileKpis ? fileKpis.filter(inWindow) : await loadStoredKpis(store, w);
      const totals = totalsByConsumer(pa.result, by);
      return {
        costs: new Map([...totals].map(([k, t]) => [k, t.direct + t.shared])),
        totalNanos: pa.result.totalNanos,
        activity: await loadActivity(store, w, by),
        overall: await overallActivity(store, w),
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
        rows,
        total,
      });
      return;
    }
    ctx.out.line(`Unit economics ${period} by ${by}: AI cost $${formatUsd(cur.totalNanos)}`);
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

async function overallActivity(store: CostStore, w: { from: Date; to: Date }) {
  const [all] = await loadActivity(store, w, 'all');
  return all ?? { scope: 'all', requests: 0, conversations: 0, activeUsers: 0 };
}
