/**
 * Local volatility for normalised conformal bands: the median absolute seasonal difference over the last
 * VOL_SEASONS primary seasons before a point, on the scale the bands use (logs for positive series). Backtest errors
 * are divided by their origin's volatility and the band is multiplied back by the volatility at the end of the
 * history, so a band follows a calm or a stormy recent stretch instead of the average of the backtest's origins
 * (tuning split: docs/benchmarks.md, "Forecast, session 11"; ADR 0055).
 */
import { typedSortedAt } from '../_series/index.js';
import { primarySeason } from './_models.js';

/** Primary seasons of history before a point that its volatility is measured on. */
export const VOL_SEASONS = 2;
/** Bounds on a volatility relative to the median of the backtest's and the end's (one wild stretch is not a regime). */
export const VOL_RANGE = [0.25, 4] as const;

/**
 * Volatility at each backtest origin and at the history's end (`y.length`), each relative to their median and
 * bounded by VOL_RANGE; all 1 when any is not measurable (too short a history, or no movement at all).
 */
export function relativeVolatility(
  y: readonly number[],
  origins: readonly number[],
  seasons: readonly number[],
  positive: boolean,
): { readonly origins: number[]; readonly end: number } {
  const ones = { origins: origins.map(() => 1), end: 1 };
  if (origins.length === 0) return ones;
  const x = positive ? y.map((v) => Math.log(Math.max(v, 1e-12))) : y;
  const s = primarySeason(Math.min(...origins), seasons);
  // The window spans the longest season too (a week of hourly data): a day-on-day difference across a weekend's
  // edge is the weekly pattern, not noise, and a whole week keeps those days a minority for the median. A history
  // that does not hold it before every origin keeps its bands as they were.
  const first = Math.min(...origins);
  const longest = Math.max(0, ...seasons);
  if (longest > s && longest > first - s) return ones;
  const w = Math.max(2, VOL_SEASONS * s, longest > s ? longest : 0);
  const at = (t: number): number => {
    const from = Math.max(s, t - w);
    if (t - from < 2) return Number.NaN;
    const d: number[] = [];
    for (let i = from; i < t; i++) d.push(Math.abs(x[i]! - x[i - s]!));
    return median(d);
  };
  const vs = [...origins.map(at), at(y.length)];
  if (vs.some((v) => !(v > 0))) return ones;
  const mid = median(vs);
  const r = vs.map((v) => Math.min(VOL_RANGE[1], Math.max(VOL_RANGE[0], v / mid)));
  return { origins: r.slice(0, -1), end: r[r.length - 1]! };
}

/** The upper median (the middle value of an odd count), by selection. */
function median(xs: readonly number[]): number {
  return typedSortedAt(xs, xs.length >> 1)!;
}
