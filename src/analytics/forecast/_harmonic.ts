/**
 * The `harmonic` candidate: a robust regression of the recent history on the calendar seasons it covers twice
 * together (for hourly and sub-hourly data Fourier terms of the day plus a level per weekday; for daily data the
 * week's Fourier terms), a local level and trend (recent points weigh more, with a half-life of HALF_LIFE_DAYS),
 * fitted with a Huber loss by iteratively reweighted least squares, so a spike or an outage does not bend the curve.
 * Recent deviations from the curve carry forward by the residuals' own autocorrelation at each lead (the weather of
 * today, a busy morning).
 * Additive on logs for positive series (spend is multiplicative), else on the raw values.
 */
import { orderStatistic } from '../_series/index.js';

/** A history to fit (the subset of ModelInput this model reads). */
export interface HarmonicInput {
  readonly y: readonly number[];
  readonly phase0: number;
  readonly seasons: readonly number[];
  readonly perDay: number;
}

/** Half-life of the observation weights, in days (a local level and trend, not a global one). */
export const HALF_LIFE_DAYS = 14;
/** Points fitted at most (the most recent): bounds the CPU of a fit on long 5-minute histories. */
export const MAX_FIT = 2016;
/** Harmonics per season at most (a day of 5-minute steps needs fewer than its 144 to show its shape). */
const MAX_HARMONICS = 8;
/** Huber's tuning constant, in robust standard deviations of the residuals. */
const HUBER_K = 1.345;
const IRLS_STEPS = 4;

/** Point forecasts for steps 1..H after the end of `m.y`. */
export function harmonicForecast(m: HarmonicInput, H: number): number[] {
  const N = m.y.length;
  if (N < 3) return new Array<number>(H).fill(N ? m.y[N - 1]! : 0);
  const log = m.y.every((v) => v > 0);
  const y0 = m.y.slice(-MAX_FIT);
  const z = log ? y0.map(Math.log) : y0;
  const n = z.length;
  const start = m.phase0 + (N - n);
  const { terms, blocks } = seasonTerms(m.seasons, n);
  const perDay = Math.max(1, m.perDay);
  // A slope needs two weeks to be told from a slow wave (weather, a fortnight's campaign).
  const trend = n >= 14 * perDay ? 1 : 0;
  const p = 1 + trend + 2 * terms.length + (blocks ? blocks.count - 1 : 0);
  const decay = Math.pow(0.5, 1 / (HALF_LIFE_DAYS * perDay));
  const row = new Float64Array(p);
  const waves = terms.map(({ period, harmonic }) => waveOf(period, harmonic));
  const fill = (i: number) => {
    // i: index relative to the fit window's first point (may be >= n for the future).
    row[0] = 1;
    if (trend) row[1] = (i - (n - 1)) / (perDay * 7);
    let k = 1 + trend;
    for (let t = 0; t < terms.length; t++) {
      const { period, harmonic } = terms[t]!;
      const phase = mod(start + i, period);
      const wave = waves[t];
      if (wave && Number.isInteger(phase)) {
        row[k++] = wave[2 * phase]!;
        row[k++] = wave[2 * phase + 1]!;
        continue;
      }
      const a = (2 * Math.PI * harmonic * phase) / period;
      row[k++] = Math.cos(a);
      row[k++] = Math.sin(a);
    }
    if (blocks) {
      const b = Math.floor(mod(start + i, blocks.period) / blocks.size);
      for (let c = 1; c < blocks.count; c++) row[k++] = b === c ? 1 : 0;
    }
  };
  // The design matrix once (the trigonometry is most of a row's cost); IRLS only reweights it.
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    fill(i);
    X.set(row, i * p);
  }
  const base = new Float64Array(n);
  let w = 1;
  for (let i = n - 1; i >= 0; i--, w *= decay) base[i] = w;
  // Normal equations X'WX and X'Wz, updated by each IRLS step's weight changes only (after the first step most
  // points keep their weight, so an update touches the few outliers).
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const weight = new Float64Array(n);
  const delta = Float64Array.from(base);
  let beta: Float64Array = new Float64Array(p);
  const fit = new Float64Array(n);
  for (let step = 0; step < IRLS_STEPS; step++) {
    accumulate(A, b, X, z, delta, p);
    for (let i = 0; i < n; i++) weight[i] = weight[i]! + delta[i]!;
    const solved = solve(A, b, p);
    if (!solved) {
      if (step === 0) return new Array<number>(H).fill(m.y[N - 1]!);
      break;
    }
    beta = solved;
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let j = 0; j < p; j++) f += X[i * p + j]! * beta[j]!;
      fit[i] = f;
    }
    const scale = madOf(z, fit);
    if (!(scale > 0)) break;
    const c = HUBER_K * scale;
    for (let i = 0; i < n; i++) {
      const r = Math.abs(z[i]! - fit[i]!);
      delta[i] = base[i]! * (r <= c ? 1 : c / r) - weight[i]!;
    }
  }
  const carry = residualCarry(z, fit, H, perDay);
  const out: number[] = [];
  for (let h = 1; h <= H; h++) {
    fill(n - 1 + h);
    let f = 0;
    for (let j = 0; j < p; j++) f += row[j]! * beta[j]!;
    // A trend is extrapolated for a week at most: a local slope is not a forecast of next month's.
    if (trend && h > 7 * perDay) f -= beta[1]! * ((h - 7 * perDay) / (perDay * 7));
    f += carry[h - 1]!;
    out.push(log ? Math.exp(f) : f);
  }
  return out;
}

const mod = (a: number, p: number) => ((a % p) + p) % p;

/**
 * cos and sin (interleaved) of one harmonic at each whole phase of its period, computed as a row computes them
 * (the same numbers), once per process: a many-series run fits thousands of design matrices of the same seasons.
 */
const waveTables = new Map<string, Float64Array>();
function waveOf(period: number, harmonic: number): Float64Array | null {
  if (!Number.isInteger(period) || period > 100_000) return null;
  const key = `${period}/${harmonic}`;
  let w = waveTables.get(key);
  if (!w) {
    w = new Float64Array(2 * period);
    for (let phase = 0; phase < period; phase++) {
      const a = (2 * Math.PI * harmonic * phase) / period;
      w[2 * phase] = Math.cos(a);
      w[2 * phase + 1] = Math.sin(a);
    }
    waveTables.set(key, w);
  }
  return w;
}

/**
 * The seasonal columns: Fourier terms of the shortest season covered twice (a day), and for a longer season that
 * is a whole number of those (a week of days) one level per shorter cycle in it (a weekday effect: a quiet weekend
 * is a step, which a few weekly harmonics would ring around); a longer season without that relation gets Fourier
 * terms too, leaving out the frequencies already taken.
 */
function seasonTerms(
  seasons: readonly number[],
  n: number,
): {
  terms: { period: number; harmonic: number }[];
  blocks: { period: number; size: number; count: number } | null;
} {
  const usable = seasons.filter((s) => s > 1 && n >= 2 * s).sort((a, b) => a - b);
  const terms: { period: number; harmonic: number }[] = [];
  let blocks: { period: number; size: number; count: number } | null = null;
  const taken = new Set<number>(); // frequencies as cycles per step, scaled to integers
  for (const s of usable) {
    const q = usable[0]!;
    if (s !== q && s % q === 0 && !blocks) {
      blocks = { period: s, size: q, count: s / q };
      continue;
    }
    const K = Math.min(MAX_HARMONICS, Math.floor(s / 2));
    for (let k = 1; k <= K; k++) {
      const key = Math.round((k / s) * 1e9);
      if (taken.has(key)) continue;
      taken.add(key);
      terms.push({ period: s, harmonic: k });
    }
  }
  return { terms, blocks };
}

/** Adds the rows of X weighted by `dw` to the lower triangle of A = X'WX and to b = X'Wz. */
function accumulate(
  A: Float64Array,
  b: Float64Array,
  X: Float64Array,
  z: readonly number[],
  dw: Float64Array,
  p: number,
): void {
  for (let i = 0; i < dw.length; i++) {
    const wi = dw[i]!;
    if (Math.abs(wi) < 1e-12) continue;
    const o = i * p;
    const zi = z[i]! * wi;
    for (let j = 0; j < p; j++) {
      const xj = X[o + j]!;
      const rj = xj * wi;
      b[j] = b[j]! + xj * zi;
      // A zero (a weekday column of another day): every product below is a zero, which leaves A as it is (A
      // starts at +0, so it is never -0), and X is finite: the same A without the additions.
      if (rj === 0) continue;
      const aj = j * p;
      for (let k = 0; k <= j; k++) A[aj + k] = A[aj + k]! + rj * X[o + k]!;
    }
  }
}

/** Solves A x = b for the symmetric A in its lower triangle (Cholesky, small ridge; A is not changed); null when singular. */
function solve(A0: Float64Array, b: Float64Array, p: number): Float64Array | null {
  const A = Float64Array.from(A0);
  let tr = 0;
  for (let j = 0; j < p; j++) tr += A[j * p + j]!;
  const ridge = (1e-6 * tr) / p;
  for (let j = 0; j < p; j++) A[j * p + j] = A[j * p + j]! + (j === 0 ? 0 : ridge);
  // Cholesky: A = L L^T, in place in the lower triangle.
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= A[j * p + k]! ** 2;
    if (!(d > 0)) return null;
    d = Math.sqrt(d);
    A[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= A[i * p + k]! * A[j * p + k]!;
      A[i * p + j] = s / d;
    }
  }
  const x = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * p + k]! * x[k]!;
    x[i] = s / A[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < p; k++) s -= A[k * p + i]! * x[k]!;
    x[i] = s / A[i * p + i]!;
  }
  return x;
}

/** 1.4826 x the median absolute residual (a robust standard deviation). */
function madOf(z: readonly number[], fit: Float64Array): number {
  const r = z.map((v, i) => Math.abs(v - fit[i]!));
  return 1.4826 * orderStatistic(r, r.length >> 1)!;
}

/**
 * What the last residuals add at each lead: the mean residual of the last hour (the last point for hourly or
 * coarser data) times the residuals' autocorrelation at that lead, clamped to [0, 1] and never rising with the lead.
 */
function residualCarry(z: readonly number[], fit: Float64Array, H: number, perDay: number): number[] {
  const n = z.length;
  const r = z.map((v, i) => v - fit[i]!);
  const k = Math.max(1, Math.min(n, Math.round(perDay / 24)));
  let last = 0;
  for (let i = n - k; i < n; i++) last += r[i]!;
  last /= k;
  let den = 0;
  for (const v of r) den += v * v;
  const out: number[] = [];
  let prev = 1;
  for (let h = 1; h <= H; h++) {
    let num = 0;
    if (den > 0 && h < n) for (let i = 0; i + h < n; i++) num += r[i]! * r[i + h]!;
    const rho = den > 0 ? Math.min(prev, Math.max(0, num / den)) : 0;
    prev = rho;
    out.push(rho * last);
  }
  return out;
}
