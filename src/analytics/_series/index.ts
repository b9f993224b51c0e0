/** Series plumbing shared by forecast, anomalies and budgets: robust stats, season detection, CSV input. */
export { autocorrelation, mean, median, quantile, robustScale } from './_stats.js';
export { detectSeason, naturalPeriods } from './_season.js';
export { parseSeriesCsv, parseTimestamp, seriesFrom, stepAfter } from './_csv.js';
export type { Series } from './_csv.js';
