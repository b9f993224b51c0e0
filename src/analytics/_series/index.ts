/** Series plumbing shared by forecast, anomalies and budgets: robust stats, season detection, CSV input. */
export {
  autocorrelation,
  mean,
  median,
  orderStatistic,
  quantile,
  robustScale,
  sortedAscending,
  typedSortedAt,
} from './_stats.js';
export { detectSeason, naturalPeriods } from './_season.js';
export {
  DUPLICATE_RULES,
  hasSeriesIds,
  parseSeriesCsv,
  parseTimestamp,
  seriesFrom,
  stepAfter,
} from './_csv.js';
export type { DuplicateRule, Series } from './_csv.js';
export { formatTime, timeStyleOf } from './_time-style.js';
export type { TimeStyle } from './_time-style.js';
export { GRAIN_MS, USAGE_SCOPE_DIMS, loadCostCells, loadUsageCells } from './_load.js';
export type { CellSource, Grain, SpendCell } from './_load.js';
export { loadDailySpend } from './_budget-load.js';
export type { BudgetScope } from './_budget-load.js';
