/**
 * Non-seasonal smoothers for a deseasonalised series: damped Holt (ETS(A,Ad,N)) and the Theta method (simple
 * exponential smoothing plus half the least-squares drift, Hyndman & Billah 2003), each fitted by a small grid on
 * one-step absolute error. Each pass is O(n); the grids are 30 and 6 passes.
 */

const ALPHAS = [0.05, 0.1, 0.2, 0.35, 0.55, 0.8];
const HOLT = [
  { beta: 0, phi: 1 },
  { beta: 0.05, phi: 0.9 },
  { beta: 0.05, phi: 0.98 },
  { beta: 0.15, phi: 0.9 },
  { beta: 0.15, phi: 0.98 },
];

interface Smoothed {
  readonly level: number;
  readonly trend: number;
  readonly alpha: number;
  readonly phi: number;
  readonly mae: number;
}

function runHolt(a: readonly number[], alpha: number, beta: number, phi: number): Smoothed {
  let l = a[0]!;
  let b = beta > 0 && a.length > 1 ? (a[Math.min(a.length - 1, 3)]! - a[0]!) / Math.min(a.length - 1, 3) : 0;
  let abs = 0;
  for (let t = 1; t < a.length; t++) {
    const pred = l + phi * b;
    const e = a[t]! - pred;
    abs += Math.abs(e);
    const lNew = pred + alpha * e;
    b = phi * b + beta * alpha * e;
    l = lNew;
  }
  return { level: l, trend: b, alpha, phi, mae: abs / Math.max(1, a.length - 1) };
}

/** Damped-Holt point forecasts for steps 1..H. */
export function holtForecast(a: readonly number[], H: number): number[] {
  if (a.length === 0) return new Array<number>(H).fill(0);
  let best: Smoothed | null = null;
  for (const alpha of ALPHAS)
    for (const { beta, phi } of a.length >= 10 ? HOLT : [HOLT[0]!]) {
      const s = runHolt(a, alpha, beta, phi);
      if (!best || s.mae < best.mae) best = s;
    }
  const out: number[] = [];
  let damp = 0;
  let f = 1;
  for (let h = 1; h <= H; h++) {
    f *= best!.phi;
    damp += f;
    out.push(best!.level + damp * best!.trend);
  }
  return out;
}

/** Theta-method point forecasts (theta = 2) for steps 1..H. */
export function thetaForecast(a: readonly number[], H: number): number[] {
  const n = a.length;
  if (n === 0) return new Array<number>(H).fill(0);
  let best: Smoothed | null = null;
  for (const alpha of ALPHAS) {
    const s = runHolt(a, alpha, 0, 1);
    if (!best || s.mae < best.mae) best = s;
  }
  const slope = n > 2 ? olsSlope(a) / 2 : 0;
  const alpha = best!.alpha;
  const out: number[] = [];
  const tail = (1 - (1 - alpha) ** n) / alpha;
  for (let h = 1; h <= H; h++) out.push(best!.level + slope * (h - 1 + tail));
  return out;
}

/** Least-squares slope per step. */
export function olsSlope(a: readonly number[]): number {
  const n = a.length;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const v of a) my += v;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (a[i]! - my);
    sxx += (i - mx) ** 2;
  }
  return sxx ? sxy / sxx : 0;
}
