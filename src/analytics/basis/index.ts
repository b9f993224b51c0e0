/** basis: the one cost basis budgets, forecasts, alerts and unit economics share with chargeback (ADR 0024). */
export { BasisCache, dailySpendOnBasis, scopeOnExport } from './_daily.js';
export type { DailyBasis, DailyBasisOptions, SpendScope } from './_daily.js';
export { committedSchedule, configHolidays, FORECAST_HISTORY_DAYS, forecastSplit } from './_forecast.js';
export type { CommittedInterval } from './_committed-backtest.js';
export type { Quantiles, SplitForecast, SplitHistory } from './_forecast.js';
