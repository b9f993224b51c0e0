/**
 * analytics: pure functions over query results (allocation, chargeback, reconciliation, unit economics, persona
 * views, forecast, anomalies, budgets) and the loaders that read their inputs through the store's interface.
 * This file is the module's only door; its folders are its parts.
 */
export * from './allocate/index.js';
export * from './anomalies/index.js';
export * from './basis/index.js';
export * from './budgets/index.js';
export * from './chargeback/index.js';
export * from './forecast/index.js';
export * from './reconcile/index.js';
export * from './unit-economics/index.js';
export * from './views/index.js';
export * from './recommend/index.js';
export * from './carbon/index.js';
export * from './maturity/index.js';
export * from './hosting/index.js';
export * from './cost-rows/index.js';
export * from './series-jobs/index.js';
// The series plumbing others need: series CSV input, daily spend per scope, season detection, grains.
export {
  DUPLICATE_RULES,
  GRAIN_MS,
  detectSeason,
  formatTime,
  hasSeriesIds,
  loadDailySpend,
  parseSeriesCsv,
  seriesFrom,
  stepAfter,
  type BudgetScope,
  type DuplicateRule,
  type Grain,
  type Series,
  type TimeStyle,
} from './_series/index.js';
