/**
 * Recurring daily excursions (ADR 0046): a nightly job that lifts a metric for half an hour, at a minute that wanders
 * a little from night to night, is the series' routine, not an event. A point is routine when, on enough of the
 * last days, the same time of day (give or take half an hour) held an excursion the same way at least half as large
 * (a sharp daily edge near that time is the profile, not an excursion: see `recursDaily`).
 */

import { median } from '../_series/index.js';

const DAY_MS = 86_400_000;

/** How the recurrence check looks back. */
export const RECURRING = {
  /** Days looked back. */
  days: 7,
  /** Days (of those) that must show a like excursion. */
  minDays: 2,
  /** Half-width of the time-of-day window, in ms (a job that starts a few minutes earlier or later). */
  windowMs: 30 * 60_000,
  /** A past point is alike when it departs from today's expectation the same way by at least this share. */
  share: 0.5,
} as const;

/** First index whose time is >= `at` in ascending times (binary search). */
function lowerBound(times: readonly number[], at: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether point `t` (departing `diff` from its expectation) repeats what the same time of day did on at least
 * `minDays` of the last `days` days. A past day is alike when a point of it lay at least `share` of the way from
 * today's expectation to today's value, and either it was at the very same time (the profile expects a job at a
 * minute it often skips) or, within the window around it, it was itself an excursion: it departed the same way by
 * that much from its own expectation then (`expectedAt`: the job ran, or did not, some minutes off the profile) or
 * from the median of the `levelPoints` points before it (the job ran where the profile expected it). A sharp daily edge
 * next to the window is neither: its low side is the level, its high side no higher than the profile. Uses points
 * before `t` only. Sub-daily data only (false otherwise).
 */
export function recursDaily(
  y: readonly number[],
  t: number,
  diff: number,
  stepMs: number,
  levelPoints: number,
  expectedAt: (i: number) => number,
  timestamps?: readonly number[],
): boolean {
  if (!(stepMs < DAY_MS) || diff === 0) return false;
  const sign = Math.sign(diff);
  const need = RECURRING.share * Math.abs(diff);
  const expected = y[t]! - diff;
  const timeOf = (i: number) => (timestamps ? timestamps[i]! : i * stepMs);
  const now = timeOf(t);
  let days = 0;
  for (let d = 1; d <= RECURRING.days; d++) {
    const then = now - d * DAY_MS;
    const from = then - RECURRING.windowMs;
    const to = then + RECURRING.windowMs;
    if (to < timeOf(0)) break;
    const first = timestamps ? lowerBound(timestamps, from, t) : Math.max(0, Math.ceil(from / stepMs));
    for (let i = first; i < t && timeOf(i) <= to; i++) {
      const likeToday = sign * (y[i]! - expected) >= need;
      if (!likeToday) continue;
      const samePhase = Math.abs(timeOf(i) - then) < stepMs / 2;
      const excursion =
        sign * (y[i]! - expectedAt(i)) >= need ||
        (i > 0 && sign * (y[i]! - median(y.slice(Math.max(0, i - levelPoints), i))) >= need);
      if (samePhase || excursion) {
        days++;
        break;
      }
    }
    if (days >= RECURRING.minDays) return true;
  }
  return false;
}
