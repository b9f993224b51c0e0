/**
 * Per-series calibration of the 80% band (split conformal on the series' own rolling-origin backtest): each origin's
 * errors are scored against the raw band built from the other origins' errors, each as the least multiplier of that
 * band (about its median, always holding 0) that would have held it. The multiplier that would have covered 80% of
 * them is taken per horizon bucket (horizons growing by half, pooled until each holds CAL_POOL ratios), and
 * shrunk toward the series' all-horizon multiplier, which is itself shrunk toward the global rule (WIDEN), each by
 * SHRINK_POINTS pseudo-observations: a series with few backtest points keeps close to the global rule, one with
 * many gets its own band, heavier or lighter than the global rule assumes.
 */
import { orderStatistic } from '../_series/index.js';
import { horizonBuckets, rawBands, WIDEN } from './_intervals.js';

/** Coverage the band is calibrated to. */
export const TARGET = 0.8;
/** Pseudo-observations of the prior in each shrinkage step (tuned on the tuning split; docs/benchmarks.md). */
export const SHRINK_POINTS = 24;
/** Ratios a horizon bucket needs before it has a multiplier of its own (fewer: joins the next horizons). */
export const CAL_POOL = 24;
/** Bounds on a multiplier (8 origins must not collapse or explode a band). */
export const CALIBRATION_RANGE = [0.5, 2.5] as const;
/** The ratio of an error outside a zero-width side: beyond any multiplier. */
const OUTSIDE = 10;

/**
 * One band multiplier per backtest horizon (index h-1) for errors[origin][h-1]; `prior` (the global rule) for every
 * horizon with under 3 origins.
 */
export function calibratedWidens(errors: readonly (readonly number[])[], prior = WIDEN): number[] {
  const Hb = Math.max(0, ...errors.map((e) => e.length));
  if (errors.length < 3) return new Array<number>(Hb).fill(prior);
  const ratios: number[][] = errors.map((e, j) => {
    const raw = rawBands(
      errors.filter((_, i) => i !== j),
      e.length,
    );
    return e.map((v, h) => ratioOf(v, raw[Math.min(h, raw.length - 1)]));
  });
  const all = ratios.flat();
  const series = shrink(conformalQuantile(all), all.length, prior);
  const out = new Array<number>(Hb).fill(clamp(series));
  for (const [a, b] of horizonBuckets(ratios, Hb, CAL_POOL)) {
    const pool = ratios.flatMap((r) => r.slice(a - 1, b));
    // One bucket for every horizon is the series itself (its ratios must not count twice).
    const k = pool.length === all.length ? series : shrink(conformalQuantile(pool), pool.length, series);
    out.fill(clamp(k), a - 1, b);
  }
  return out;
}

/**
 * The least multiplier whose band holds error v: the band runs from min(0, mid - k (mid - lo)) to max(0, mid + k (hi -
 * mid)), so it always holds 0 (p10 <= p50 <= p90) and an error between 0 and the median needs no widening at all.
 */
function ratioOf(v: number, raw: { mid: number; lo: number; hi: number } | undefined): number {
  if (!raw) return OUTSIDE;
  if (v === 0) return 0;
  const beyond = v > 0 ? v - raw.mid : raw.mid - v;
  if (beyond <= 0) return 0;
  const side = v > 0 ? raw.hi - raw.mid : raw.mid - raw.lo;
  return side > 0 ? Math.min(OUTSIDE, beyond / side) : OUTSIDE;
}

/** The split-conformal quantile: the ceil(TARGET (n + 1))-th smallest ratio (the largest when n is small). */
function conformalQuantile(xs: readonly number[]): number {
  return orderStatistic(xs, Math.min(xs.length - 1, Math.ceil(TARGET * (xs.length + 1)) - 1)) ?? 1;
}

function shrink(k: number, n: number, prior: number): number {
  return (n * k + SHRINK_POINTS * prior) / (n + SHRINK_POINTS);
}

function clamp(k: number): number {
  return Math.min(CALIBRATION_RANGE[1], Math.max(CALIBRATION_RANGE[0], k));
}
