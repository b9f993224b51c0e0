/** Forecasting: backtest-selected candidates with conformal p10/p50/p90 (forecastSeries); short histories by smoothing and one calendar cycle. */
export { fitHoltWinters, runHoltWinters } from './_holt-winters.js';
export type { HwParams, HwState } from './_holt-winters.js';
export { forecastSeries, MIN_ORIGINS } from './_select.js';
export type { BacktestReport, SeriesForecast, SeriesForecastOptions, SeriesPoint } from './_select.js';
export type { CandidateScore } from './_backtest.js';
export type { ModelName } from './_models.js';
