/**
 * The `yearly` candidate for daily series with two or more years of history: the same weekday 52 weeks back,
 * re-levelled. A weekly model cannot see a sports season, a holiday period or a summer; last year can.
 *
 * For each past year k (up to YEARLY_MAX_YEARS that the history holds) the change from the level before the
 * matching origin then (the mean of its LEVEL_DAYS days) to the same weekday k x 52 weeks before the target day;
 * the median of those changes is added to today's level (the mean of the last LEVEL_DAYS days). The median keeps
 * one broken year (an outage, a migration, a data fault) from carrying over. On logs when every value is positive
 * (a summer is a proportion of the level, not an amount).
 *
 * Form chosen on the tuning split (docs/benchmarks.md "Forecast, session 12", ADR 0057): the same weekday was
 * better than a 7-day mean path plus a recent weekday profile, and 28 days of level than 14 or 56.
 */
import { median } from '../_series/index.js';

/** Steps in the year the candidate looks back: 52 weeks, so weekdays stay aligned. */
export const YEAR_DAYS = 364;
/** History the candidate needs: two whole years. */
export const YEARLY_MIN_HISTORY = 2 * YEAR_DAYS;
/** Most past years whose changes are combined. */
export const YEARLY_MAX_YEARS = 3;
/** Days in each level window (today's and each past origin's): four whole weeks, so weekdays cancel. */
export const LEVEL_DAYS = 28;

/** Point forecasts for steps 1..H after the end of daily `y`, or null under two years of history. */
export function yearlyForecast(y: readonly number[], H: number): number[] | null {
  const n = y.length;
  if (n < YEARLY_MIN_HISTORY || H > YEAR_DAYS) return null;
  const log = y.every((v) => v > 0);
  const z = log ? y.map(Math.log) : y;
  const years = Math.min(YEARLY_MAX_YEARS, Math.floor((n - LEVEL_DAYS) / YEAR_DAYS));
  const level = mean(z, n - LEVEL_DAYS, n);
  const before = Array.from({ length: years }, (_, k) => {
    const o = n - (k + 1) * YEAR_DAYS;
    return mean(z, o - LEVEL_DAYS, o);
  });
  return Array.from({ length: H }, (_, h) => {
    const change = median(before.map((b, k) => z[n - (k + 1) * YEAR_DAYS + h]! - b));
    const v = level + change;
    return log ? Math.exp(v) : v;
  });
}

function mean(z: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += z[i]!;
  return s / (to - from);
}
