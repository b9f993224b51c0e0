/**
 * Forecasts from histories too short for a trustworthy backtest (fewer than MIN_ORIGINS rolling origins): a week
 * or two of daily spend, a day or two of hourly. One cycle of a calendar season is enough to use it (the last
 * week's weekday shape); the level is simple exponential smoothing of the deseasonalised values with its
 * smoothing weight fitted to the history's own one-step errors, so a random walk keeps its last value and a noisy
 * flat series its mean. Bands come from those one-step errors, widened for the few points they rest on.
 */
import { quantile } from '../_series/index.js';

/** One short-history forecast: per-step quantiles and the quantiles of their sum. */
export interface ShortForecast {
  /** The season used (1: none) and the fitted smoothing weight of the level. */
  readonly season: number;
  readonly alpha: number;
  readonly points: readonly { readonly p10: number; readonly p50: number; readonly p90: number }[];
  readonly total: { readonly p10: number; readonly p50: number; readonly p90: number };
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** The additive shape of the last whole cycles of season `s` (mean of each phase's deviation from its cycle mean). */
export function cycleShape(y: readonly number[], s: number): Float64Array {
  const shape = new Float64Array(Math.max(1, s));
  if (s <= 1) return shape;
  const n = y.length;
  const k = Math.floor(n / s);
  if (k < 1) return shape;
  const byPhase: number[][] = Array.from({ length: s }, () => []);
  for (let c = 0; c < k; c++) {
    const s0 = n - (c + 1) * s;
    let m = 0;
    for (let j = 0; j < s; j++) m += y[s0 + j]!;
    m /= s;
    for (let j = 0; j < s; j++) byPhase[(s0 + j) % s]!.push(y[s0 + j]! - m);
  }
  // Three or more cycles: the median resists one odd day; fewer: the mean (the median of two is their mean).
  byPhase.forEach(
    (d, p) => (shape[p] = d.length >= 3 ? quantile(d, 0.5) : d.reduce((a, v) => a + v, 0) / d.length),
  );
  return shape;
}

/** Simple exponential smoothing with the weight (from a grid) that minimises the in-sample one-step squared error. */
export function fitSes(d: readonly number[]): { alpha: number; level: number; errors: number[] } {
  let best = { alpha: 1, level: d[d.length - 1] ?? 0, errors: [] as number[], sse: Infinity };
  for (const alpha of ALPHAS) {
    let level = d[0]!;
    let sse = 0;
    const errors: number[] = [];
    for (let t = 1; t < d.length; t++) {
      const e = d[t]! - level;
      errors.push(e);
      sse += e * e;
      level += alpha * e;
    }
    if (sse < best.sse * (1 - 1e-12)) best = { alpha, level, errors, sse };
  }
  return best;
}

/** p10/p90 half-width in sigmas (a normal's 80% interval). */
const Z90 = 1.2816;
/**
 * Corrections of two scales, chosen on the short-history tuning split (`bench/eval-forecast-short.ts`, page
 * views and odd M4 Weekly series, 7-42 points): in-sample errors of a fit on so few points understate the
 * errors ahead (80% bands covered 0.68-0.80 unwidened), and neighbour steps overstate them (0.89 at 7 days).
 */
const ERRORS_WIDEN = 1.25;
const STEPS_NARROW = 0.7;

/** Forecasts `H` steps after `y` with season `s` (1: none). */
export function shortForecast(y: readonly number[], s: number, H: number): ShortForecast {
  const n = y.length;
  const season = s > 1 && n >= s ? s : 1;
  const shape = cycleShape(y, season);
  const at = (t: number) => (season > 1 ? shape[((t % season) + season) % season]! : 0);
  const d = y.map((v, t) => v - at(t));
  const { alpha, level, errors } = n > 1 ? fitSes(d) : { alpha: 1, level: y[0] ?? 0, errors: [] };
  // One-step error scale: the mean absolute in-sample error (x1.253, a normal's sigma; steadier than the RMS on
  // heavy tails). One cycle of shape leaves no error to measure (the shape absorbs every point of it): then the
  // seasonal differences of the points before that cycle (seasonal naive's own errors), or with none, the steps
  // between neighbours, which hold the season's swings too (narrowed).
  const k = season > 1 ? Math.floor(n / season) : n;
  const mae = (e: readonly number[]) => e.reduce((a, v) => a + Math.abs(v), 0) / Math.max(1, e.length);
  // Part of a cycle before the last whole one: its seasonal differences are seasonal naive's own errors.
  const lag = season > 1 && n - season >= 2 ? season : 1;
  const steps = y.slice(lag).map((v, t) => v - y[t]!);
  const fromErrors = k >= 2 && errors.length >= 2;
  const raw = 1.253 * (fromErrors ? ERRORS_WIDEN * mae(errors) : (lag > 1 ? 1 : STEPS_NARROW) * mae(steps));
  const sigma = raw > 0 ? raw : 0.01 * Math.abs(level) || 1e-9;
  // Few errors estimate the scale loosely, and a shape from few cycles carries their noise: widen for both.
  const small = Math.sqrt(1 + 2 / Math.max(1, errors.length));
  const shapeVar = season > 1 ? 1 / Math.max(1, k) : 0;
  const points = Array.from({ length: H }, (_, i) => {
    const mu = level + at(n + i);
    // SES's h-step error variance: sigma^2 (1 + (h-1) alpha^2).
    const w = Z90 * sigma * small * Math.sqrt(1 + i * alpha * alpha + shapeVar);
    return { p10: mu - w, p50: mu, p90: mu + w };
  });
  const sum = points.reduce((a, p) => a + p.p50, 0);
  // The sum shares one level error (variance ~ alpha/(2-alpha) sigma^2 per step, fully correlated) and adds H
  // independent ones.
  const wTot = Z90 * sigma * small * Math.sqrt(H * (1 + shapeVar) + H * H * (alpha / (2 - alpha)));
  return { season, alpha, points, total: { p10: sum - wTot, p50: sum, p90: sum + wTot } };
}
