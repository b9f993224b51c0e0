/**
 * Calendar-anchored multi-seasonal decomposition (in the spirit of MSTL, made cheap): a centred moving average
 * for the trend, then one seasonal profile per period (hour of day, then hour of week; or day of week), each the
 * trimmed mean of the detrended values at that calendar phase over the last few cycles. Phases come from the
 * absolute step index (`phase0` = steps since the epoch of the first point), so the profile for a Monday is the
 * same whatever day the history starts on.
 */
import { orderStatistic } from '../_series/index.js';

/** A decomposed series: seasonally adjusted values and the seasonal component at any step index. */
export interface Decomposition {
  readonly adjusted: number[];
  /** The seasonal component at step index i (relative to the first point; i may lie in the future). */
  seasonalAt(i: number): number;
}

/** Cycles of history each profile is averaged over (the most recent ones). */
export const PROFILE_CYCLES = 4;

const mod = (a: number, p: number) => ((a % p) + p) % p;

/** Decomposes `z` with the periods in `seasons` that have at least two full cycles of history. */
export function decompose(
  z: readonly number[],
  seasons: readonly number[],
  phase0: number,
  exclude?: readonly boolean[],
  freshEdge = false,
): Decomposition {
  const n = z.length;
  const usable = seasons.filter((p) => p > 1 && n >= 2 * p).sort((a, b) => a - b);
  if (usable.length === 0) return { adjusted: [...z], seasonalAt: () => 0 };
  const W = usable[usable.length - 1]!;
  const trend = centredMean(z, W);
  const resid = z.map((v, i) => v - trend[i]!);
  const profiles: { p: number; s: Float64Array }[] = [];
  // Points without a full centred window are biased by a trend; for sub-daily data (`freshEdge`) leaving them out
  // (W/2 = 3.5 days for a week of hours) makes profiles stale, so there every point counts, the last W/2 against
  // the last full window's mean (tuning split: NAB hourly 0.856 -> 0.799; for daily data it cost Wikipedia
  // 0.908 -> 0.954, so daily profiles keep to full windows).
  const lastFull = freshEdge ? n - 1 : n - 1 - Math.ceil(W / 2);
  for (const p of usable) {
    const from = Math.max(freshEdge ? 0 : Math.floor(W / 2), lastFull + 1 - PROFILE_CYCLES * p);
    const byPhase: number[][] = Array.from({ length: p }, () => []);
    for (let i = from; i <= lastFull; i++) {
      if (exclude?.[i]) continue;
      let r = resid[i]!;
      for (const q of profiles) r -= q.s[mod(phase0 + i, q.p)]!;
      byPhase[mod(phase0 + i, p)]!.push(r);
    }
    const s = new Float64Array(p);
    // Shrink each profile towards zero by how much of its spread is noise (James-Stein style): the variance of a
    // phase's mean is its within-phase variance / cycles; a clean cycle keeps all of it, pure noise none.
    let within = 0;
    let count = 0;
    byPhase.forEach((vals, k) => {
      const mean = trimmedMean(vals);
      s[k] = mean;
      if (vals.length > 1) {
        let v = 0;
        for (const x of vals) v += (x - mean) ** 2;
        within += v / (vals.length - 1) / vals.length;
        count++;
      }
    });
    let m = 0;
    for (const v of s) m += v;
    m /= p;
    let spread = 0;
    for (const v of s) spread += (v - m) ** 2;
    spread /= Math.max(1, p - 1);
    const noise = count ? within / count : 0;
    const shrink = spread > 0 ? Math.max(0, 1 - noise / spread) : 0;
    for (let k = 0; k < p; k++) s[k] = (s[k]! - m) * shrink;
    profiles.push({ p, s });
  }
  const seasonalAt = (i: number) => {
    let v = 0;
    for (const q of profiles) v += q.s[mod(phase0 + i, q.p)]!;
    return v;
  };
  return { adjusted: z.map((v, i) => v - seasonalAt(i)), seasonalAt };
}

/** Centred moving mean of width w (edges use the nearest full window). */
function centredMean(z: readonly number[], w: number): number[] {
  const n = z.length;
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i]! + z[i]!;
  const half = Math.floor(w / 2);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.min(Math.max(0, i - half), n - w);
    out[i] = (pre[lo + w]! - pre[lo]!) / w;
  }
  return out;
}

function trimmedMean(vals: number[]): number {
  if (vals.length === 0) return 0;
  if (vals.length < 5) return vals.reduce((a, b) => a + b, 0) / vals.length;
  const s = [...vals].sort((a, b) => a - b);
  const cut = Math.max(1, Math.floor(s.length * 0.1));
  let t = 0;
  for (let i = cut; i < s.length - cut; i++) t += s[i]!;
  return t / (s.length - 2 * cut);
}

/**
 * The start of the last level shift in `a` (a launch, a migration), or 0 when there is none: the split whose
 * before/after means differ by more than `threshold` noise units, where noise is estimated from one-step
 * differences (robust to the shift itself). Segments after the split need `minSeg` points.
 */
export function lastLevelShift(a: readonly number[], minSeg: number, threshold = 6): number {
  const n = a.length;
  if (n < 3 * minSeg) return 0;
  const diffs: number[] = [];
  for (let i = 1; i < n; i++) diffs.push(Math.abs(a[i]! - a[i - 1]!));
  const sigma = (1.4826 * orderStatistic(diffs, diffs.length >> 1)!) / Math.SQRT2;
  if (!(sigma > 0)) return 0;
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i]! + a[i]!;
  let best = 0;
  let bestScore = threshold;
  for (let k = Math.max(minSeg, 2); k <= n - minSeg; k++) {
    const na = n - k;
    const nb = Math.min(k, Math.max(2 * na, 2 * minSeg));
    const after = (pre[n]! - pre[k]!) / na;
    const before = (pre[k]! - pre[k - nb]!) / nb;
    const score = Math.abs(after - before) / (sigma * Math.sqrt(1 / na + 1 / nb));
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}
