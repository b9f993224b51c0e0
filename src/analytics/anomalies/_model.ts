/** The detector's fitted model: level, Theil-Sen trend and median seasonal profile over up to 4 blocks. */
import { median, robustScale } from '../_series/index.js';

/** One fit of the expectation and its noise scale. */
export interface Model {
  level: number;
  slope: number;
  /** Index the level is centred on. */
  center: number;
  seasonal: number[];
  season: number;
  baseline: number | null;
  scale: number;
  /** Under one block of history: rules only. */
  cold: boolean;
  /** Blocks of history the model was fitted on (0 = cold). */
  blocks: number;
  /** Robust scale of relative residuals (non-negative series), or null: then `scale` is absolute. */
  relScale: number | null;
  /** Calendar phase of index 0. */
  phase0: number;
}

/**
 * Robust scale (1.4826 x MAD); when more than half the values are equal (a mostly-zero series with sparse
 * bursts) MAD is 0, and 1.2533 x the mean absolute deviation from the median stands in (Iglewicz-Hoaglin).
 */
function scaleOf(values: readonly number[]): number {
  const r = robustScale(values);
  if (r > 0 || values.length === 0) return r;
  const m = median(values);
  return (1.2533 * values.reduce((a, v) => a + Math.abs(v - m), 0)) / values.length;
}

/** Expected value at index t (trend optional). */
export function expectedAt(m: Model, t: number, trend = true): number {
  return m.level + (trend ? m.slope * (t - m.center) : 0) + (m.seasonal[(t + m.phase0) % m.season] ?? 0);
}

/** Fits the model on `all` from `offset` (the current regime), with past residuals for the scale. */
export function fit(
  all: readonly number[],
  offset: number,
  s: number,
  B: number,
  resid: readonly number[],
  absResid: readonly number[],
  phase0: number,
): Model {
  const c = all.slice(offset);
  const t = c.length;
  const end = all.length;
  const blocks = Math.min(4, Math.floor(t / B));
  if (blocks < 1) {
    const level = median(c);
    // Rules only (no season seen yet): a departure must be about 2x the running median to score 4.
    const scale = Math.max(scaleOf(c), 0.25 * Math.abs(level), 1e-9);
    return {
      level,
      slope: 0,
      center: end,
      seasonal: [],
      season: s,
      baseline: null,
      scale,
      relScale: null,
      cold: true,
      blocks: 0,
      phase0,
    };
  }
  const meds: number[] = [];
  const seasonal = new Array<number>(s).fill(0);
  const byPhase: number[][] = Array.from({ length: s }, () => []);
  for (let j = 0; j < blocks; j++) {
    const from = t - (j + 1) * B;
    const block = c.slice(from, from + B);
    const m = median(block);
    meds.push(m);
    if (s > 1) block.forEach((v, i) => byPhase[(phase0 + offset + from + i) % s]!.push(v - m));
  }
  if (s > 1) byPhase.forEach((d, p) => (seasonal[p] = median(d)));
  const slopes: number[] = [];
  for (let i = 0; i < blocks; i++)
    for (let j = i + 1; j < blocks; j++) slopes.push((meds[i]! - meds[j]!) / ((j - i) * B));
  const slope = blocks >= 3 ? median(slopes) : 0;
  const level = meds[0]!;
  const rel = resid.slice(-8 * B);
  const relative = level > 0 && rel.length >= B && rel.every((r) => !Number.isNaN(r));
  const abs = absResid.slice(-8 * B);
  const rs = relative
    ? robustScale(rel) * level
    : abs.length >= B
      ? scaleOf(abs)
      : scaleOf(c.slice(-B * blocks));
  const scale = Math.max(rs, 0.02 * Math.abs(level), 1e-9);
  const relScale = relative ? Math.max(robustScale(rel), 0.02) : null;
  return {
    level,
    slope,
    center: end - (B + 1) / 2,
    seasonal,
    season: s,
    baseline: blocks >= 3 ? meds[blocks - 1]! : null,
    scale,
    relScale,
    cold: false,
    blocks,
    phase0,
  };
}
