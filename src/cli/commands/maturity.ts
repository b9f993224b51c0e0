/** `tally maturity`: crawl, walk or run per FinOps-for-AI capability, with evidence and the next step (issue 14). */
import { monthWindow, nanosToUsd, type TimeWindow } from '../../core/index.js';
import {
  allBudgetStatus,
  allocationSettings,
  assessMaturity,
  forecastSeries,
  loadDailySpend,
  loadMaturityFacts,
  loadRecommendInputs,
  ptuUtilisation,
  type MaturityInputs,
} from '../../analytics/index.js';
import type { CostStore } from '../../store/index.js';
import { defineCommand } from '../command.js';
import { latestPeriodOption, periodOrLatest } from './_latest-period.js';

const DAY = 86_400_000;

export const maturityCommand = defineCommand({
  options: {
    period: latestPeriodOption,
  },
  async run(ctx) {
    const store = await ctx.openStore({ readOnly: true });
    const period = await periodOrLatest(ctx.str('period'), store);
    const w = monthWindow(period);
    const budgets = await allBudgetStatus(store, ctx.config(), new Date(w.to.getTime() - 1));
    const inputs: MaturityInputs = {
      facts: await loadMaturityFacts(store, w),
      budgets: budgets.map((b) => ({ scope: b.scope, exceeded: b.exceeded })),
      ptu: ptuUtilisation(await loadRecommendInputs(store, w, allocationSettings(ctx.config()).rates ?? [])),
      forecast: await backtest(store, w),
    };
    const capabilities = assessMaturity(inputs);
    if (ctx.json) {
      ctx.out.json({ period, capabilities });
      return;
    }
    ctx.out.line(`FinOps-for-AI maturity, ${period}`);
    ctx.out.table(capabilities.map((c) => ({ capability: c.name, level: c.level, next: c.next })));
  },
});

/** A 7-day forecast of daily spend from the 28 days before the window end, beside what happened. */
async function backtest(store: CostStore, w: TimeWindow): Promise<MaturityInputs['forecast']> {
  const from = new Date(w.to.getTime() - 35 * DAY);
  const daily = await loadDailySpend(store, 'all', null, from, w.to);
  const values = Array.from({ length: 35 }, (_, i) => nanosToUsd(daily.get(from.getTime() + i * DAY) ?? 0n));
  if (values.slice(0, 28).filter((v) => v > 0).length < 21) return null;
  const f = forecastSeries(
    values.slice(0, 28).map((value, i) => ({ timestamp: from.getTime() + i * DAY, value })),
    { horizon: 7, stepMs: DAY, nonNegative: true },
  );
  return { actual: values.slice(28), predicted: f.points.map((p) => p.p50) };
}
