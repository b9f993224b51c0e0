/** Forecasting: tiered models (naive, seasonal profile, damped Holt-Winters) with empirical p10/p50/p90. */
export { forecastValues } from './_forecast.js';
export type { Forecast, ForecastOptions, ForecastPoint, ForecastTier } from './_forecast.js';
export { fitHoltWinters, runHoltWinters } from './_holt-winters.js';
export type { HwParams, HwState } from './_holt-winters.js';
