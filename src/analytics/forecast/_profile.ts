/**
 * The multi-cycle profile candidate: the shape of the last few cycles of the primary season (each cycle minus its
 * own mean, averaged), re-levelled at the mean of the last cycle, plus a day-of-week level effect for sub-daily
 * data when three or more weeks show one. Seasonal naive carries one cycle's full noise; averaging the shape of
 * three cycles keeps yesterday's level (weather, a busy day persists) but not yesterday's noise. Additive on the
 * raw values (the decompositions work on logs), so the backtest can choose between the two scales.
 */

/** Cycles whose shape is averaged (tuning split: 3, 5 and 7 were within 0.01-0.04 of each other; 3 best on temperatures). */
export const PROFILE_SHAPE_CYCLES = 3;
/** Weeks of day means the day-of-week effect is estimated from, and the fewest that may show one. */
const EFFECT_WEEKS = 8;
const MIN_EFFECT_WEEKS = 3;

/** Point forecasts for steps 1..H from the end of `y`; seasons in steps, shortest first. */
export function profileForecast(y: readonly number[], seasons: readonly number[], H: number): number[] {
  const n = y.length;
  const p = seasons.find((s) => s > 1 && n >= 2 * s) ?? 1;
  if (p <= 1) return new Array<number>(H).fill(n ? y[n - 1]! : 0);
  const k = Math.min(PROFILE_SHAPE_CYCLES, Math.floor(n / p));
  const shape = new Float64Array(p);
  for (let c = 0; c < k; c++) {
    const s0 = n - (c + 1) * p;
    const m = blockMean(y, s0, p);
    for (let j = 0; j < p; j++) shape[j] = shape[j]! + (y[s0 + j]! - m) / k;
  }
  const level = blockMean(y, n - p, p);
  const W = seasons.find((s) => s > p && s % p === 0);
  const eff = W ? cycleEffects(y, p, W / p) : null;
  const per = W ? W / p : 1;
  return Array.from({ length: H }, (_, h) => {
    // Cycle c back from the end has class c mod per; future cycle i (0-based) is the class of cycle -(i+1).
    const cls = ((-(Math.floor(h / p) + 1) % per) + per) % per;
    return level + (eff ? eff[cls]! - eff[0]! : 0) + shape[h % p]!;
  });
}

/**
 * The level effect of each cycle class within the longer season (the weekday of a day), by class counted back from
 * the last cycle, shrunk towards zero by its noise share; null with under MIN_EFFECT_WEEKS longer cycles (two weeks
 * of weather look like a weekday effect: tuning split, Yosemite 5-minute 0.99 -> 1.35 of seasonal naive).
 */
function cycleEffects(y: readonly number[], p: number, per: number): Float64Array | null {
  const weeks = Math.min(EFFECT_WEEKS, Math.floor(y.length / (p * per)));
  if (weeks < MIN_EFFECT_WEEKS) return null;
  const obs: number[][] = Array.from({ length: per }, () => []);
  const eff = new Float64Array(per);
  for (let w = 0; w < weeks; w++) {
    const means = Array.from({ length: per }, (_, c) => blockMean(y, y.length - (w * per + c + 1) * p, p));
    const wm = means.reduce((a, b) => a + b, 0) / per;
    means.forEach((m, c) => {
      eff[c] = eff[c]! + (m - wm) / weeks;
      obs[c]!.push(m - wm);
    });
  }
  // James-Stein style: the variance of a class mean (within-class variance / weeks) against the spread of the means.
  let within = 0;
  let spread = 0;
  for (let c = 0; c < per; c++) {
    let v = 0;
    for (const x of obs[c]!) v += (x - eff[c]!) ** 2;
    within += v / (weeks - 1) / weeks / per;
    spread += eff[c]! ** 2 / Math.max(1, per - 1);
  }
  const shrink = spread > 0 ? Math.max(0, 1 - within / spread) : 0;
  return eff.map((v) => v * shrink);
}

function blockMean(y: readonly number[], s0: number, p: number): number {
  let m = 0;
  for (let j = 0; j < p; j++) m += y[s0 + j]!;
  return m / p;
}
