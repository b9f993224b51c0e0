/**
 * Prediction intervals from backtest errors by horizon (conformal in spirit, no assumed normal): the 10th and
 * 90th percentiles of the errors at horizons near h (pooled in buckets of horizons growing by half, each with
 * at least MIN_POOL errors, so a handful of origins suffices), pushed outwards for small samples, and never
 * narrower than at a shorter horizon.
 * Positive series use log-ratio errors, so a band scales with the level (a launch doubles the band with the spend).
 */
import { sortedAscending } from '../_series/index.js';

/** A band at one horizon, as error quantiles around the point forecast. */
export interface Band {
  readonly lo: number;
  readonly hi: number;
  apply(f: number): { p10: number; p50: number; p90: number };
}

/** Small-sample correction: quantile levels move outwards by this many samples' worth (1/m each). */
export const SMALL_SAMPLE = 0.5;
/** Multiplier on the empirical band (tuned on the tuning split of the evaluation; see docs/benchmarks.md). */
export const WIDEN = 1.15;

/** The error of a forecast f against actual y on the scale the bands use. */
export function errorOf(y: number, f: number, positive: boolean): number {
  return positive ? Math.log(Math.max(y, 1e-12) / Math.max(f, 1e-12)) : y - f;
}

function band(lo: number, hi: number, positive: boolean): Band {
  return {
    lo,
    hi,
    apply: (f) =>
      positive
        ? { p10: f * Math.exp(lo), p50: f, p90: f * Math.exp(hi) }
        : { p10: f + lo, p50: f, p90: f + hi },
  };
}

/** Errors pooled per horizon bucket: at least this many (a bucket takes in further horizons until it has them). */
export const MIN_POOL = 24;

/** The raw empirical band at one horizon (multiplier 1): the errors' median and their 10th/90th percentiles. */
export interface RawBand {
  readonly mid: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Raw bands for horizons 1..min(H, longest error row), pooled in buckets of horizons growing by half (1, 2, 3-4,
 * 5-7, ...), each with at least MIN_POOL errors: one sort per bucket keeps this O(errors log errors).
 */
export function rawBands(errors: readonly (readonly number[])[], H: number): RawBand[] {
  const Hb = Math.max(0, ...errors.map((e) => e.length));
  const out: RawBand[] = [];
  for (const [a, b] of horizonBuckets(errors, Math.min(H, Hb), MIN_POOL)) {
    const pool: number[] = [];
    for (const e of errors) for (let k = a; k <= Math.min(b, e.length); k++) pool.push(e[k - 1]!);
    const sorted = sortedAscending(pool);
    const c = SMALL_SAMPLE / Math.max(1, pool.length);
    const raw = {
      mid: sortedQuantile(sorted, 0.5),
      lo: sortedQuantile(sorted, 0.1 - c),
      hi: sortedQuantile(sorted, 0.9 + c),
    };
    for (let h = a; h <= Math.min(b, H); h++) out.push(raw);
  }
  return out;
}

/**
 * Consecutive horizon ranges [a, b] covering 1..last, each growing by half and extended until the rows hold at least
 * `min` values in it (a short last range joins the one before).
 */
export function horizonBuckets(
  rows: readonly (readonly unknown[])[],
  last: number,
  min: number,
): [number, number][] {
  const Hb = Math.max(0, ...rows.map((e) => e.length));
  const countIn = (a: number, b: number) =>
    rows.reduce((n, e) => n + Math.max(0, Math.min(b, e.length) - a + 1), 0);
  const buckets: [number, number][] = [];
  for (let a = 1; a <= Math.min(last, Hb);) {
    let b = Math.max(a, Math.floor(a * 1.5));
    while (b < Hb && countIn(a, b) < min) b++;
    b = Math.min(b, Hb);
    if (countIn(a, b) < min && buckets.length) buckets[buckets.length - 1]![1] = b;
    else buckets.push([a, b]);
    a = b + 1;
  }
  return buckets;
}

/**
 * Bands for horizons 1..H from errors[origin][h-1]: each horizon's raw band widened about its median by `widen` (one
 * multiplier, or one per horizon as calibrated per series), holding 0 (p10 <= p50 <= p90). Horizons past the
 * errors' length grow as sqrt(h).
 */
export function bandsFromErrors(
  errors: readonly (readonly number[])[],
  H: number,
  positive: boolean,
  widen: number | readonly number[] = WIDEN,
  scale = 1,
): Band[] {
  const raw = rawBands(errors, H);
  const Hb = raw.length;
  const w = (h: number) =>
    typeof widen === 'number' ? widen : (widen[Math.min(h, widen.length - 1)] ?? WIDEN);
  const los = raw.map((r, h) => Math.min(0, r.mid + (r.lo - r.mid) * w(h)));
  const his = raw.map((r, h) => Math.max(0, r.mid + (r.hi - r.mid) * w(h)));
  // Widths never shrink with the horizon: isotonic (pool-adjacent-violators) fits, not a running max, so one noisy
  // short horizon does not widen every later one.
  const hi = isotonic(his).map((v) => v * scale);
  const lo = isotonic(los.map((v) => -v)).map((v) => -v * scale);
  const out: Band[] = [];
  for (let h = 1; h <= H; h++) {
    if (h <= Hb) out.push(band(lo[h - 1]!, hi[h - 1]!, positive));
    else {
      const g = Math.sqrt(h / Math.max(1, Hb));
      out.push(band((lo[Hb - 1] ?? 0) * g, (hi[Hb - 1] ?? 0) * g, positive));
    }
  }
  return out;
}

/** Quantile of an ascending array (linear interpolation; 0 when empty). */
function sortedQuantile(s: ArrayLike<number>, q: number): number {
  if (s.length === 0) return 0;
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** The non-decreasing sequence closest to `v` in least squares (pool adjacent violators). */
export function isotonic(v: readonly number[]): number[] {
  // Blocks as a stack of sums and sizes; the newest block stays in (sum, n) until its mean is not below the one
  // before it, merging as it goes.
  const sums: number[] = [];
  const sizes: number[] = [];
  for (const x of v) {
    let sum = x;
    let n = 1;
    for (let a = sums.length - 1; a >= 0 && !(sums[a]! / sizes[a]! <= sum / n); a--) {
      sum = sums[a]! + sum;
      n = sizes[a]! + n;
      sums.pop();
      sizes.pop();
    }
    sums.push(sum);
    sizes.push(n);
  }
  const out: number[] = [];
  for (let b = 0; b < sums.length; b++)
    for (let k = 0, m = sums[b]! / sizes[b]!; k < sizes[b]!; k++) out.push(m);
  return out;
}
