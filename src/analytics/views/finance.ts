/** The finance view: chargeback per cost center with effective cost, budget use and trend. */
import { nanosToUsd, type Nanos } from '../../core/index.js';
import type { Chargeback } from '../chargeback/index.js';

/** One row of the finance view (JSON-ready). */
export type FinanceRow = Record<string, string | number | null>;

/** Adds monthly budgets (nanos per cost center) and the change from the previous period to a chargeback. */
export function financeView(cb: Chargeback, budgets: ReadonlyMap<string, Nanos>): FinanceRow[] {
  return cb.lines.map((l) => {
    const budget = budgets.get(l.consumer);
    const prev = l.previousTotalNanos;
    return {
      costCenter: l.consumer,
      effectiveCostUsd: nanosToUsd(l.totalNanos),
      directCostUsd: nanosToUsd(l.directNanos),
      sharedCostUsd: nanosToUsd(l.sharedNanos),
      shareOfTotal: l.shareOfTotal,
      budgetUsd: budget === undefined ? null : nanosToUsd(budget),
      budgetUsedPct:
        budget === undefined || budget === 0n ? null : Number((l.totalNanos * 10_000n) / budget) / 100,
      previousCostUsd: prev === null ? null : nanosToUsd(prev),
      changePct: prev === null || prev === 0n ? null : Number(((l.totalNanos - prev) * 10_000n) / prev) / 100,
    };
  });
}
