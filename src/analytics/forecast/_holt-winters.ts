/**
 * Additive Holt-Winters with a damped trend (ETS(A,Ad,A)), fitted by a small grid search on one-step mean
 * absolute error. Small and licence-clean; no maintained TypeScript ETS package exists (see the domain notes).
 */

/** Smoothing parameters. */
export interface HwParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

/** The filtered states after running the model over a series. */
export interface HwState {
  readonly params: HwParams;
  readonly season: number;
  /** level[t], trend[t] after seeing y[t]. */
  readonly level: Float64Array;
  readonly trend: Float64Array;
  /** seasonal[t]: the seasonal estimate for time t's phase, updated after seeing y[t]. */
  readonly seasonal: Float64Array;
  /** Sum of absolute one-step errors after the first season (the fit criterion). */
  readonly mae: number;
}

/** Runs the model with fixed parameters. `s` = 1 means no season. */
export function runHoltWinters(y: readonly number[], s: number, p: HwParams): HwState {
  const n = y.length;
  const level = new Float64Array(n);
  const trend = new Float64Array(n);
  const seasonal = new Float64Array(n);
  const m = Math.max(1, s);
  const first = y.slice(0, m);
  const l0 = first.reduce((a, b) => a + b, 0) / first.length;
  const second = y.slice(m, 2 * m);
  const b0 = second.length === m && m > 1 ? (second.reduce((a, b) => a + b, 0) / m - l0) / m : 0;
  let l = l0;
  let b = p.beta > 0 ? b0 : 0;
  let abs = 0;
  let count = 0;
  for (let t = 0; t < n; t++) {
    const seasonPrev = m > 1 ? (t >= m ? seasonal[t - m]! : y[t]! - l0) : 0;
    const pred = l + p.phi * b + seasonPrev;
    const yt = y[t]!;
    if (t >= m) {
      abs += Math.abs(yt - pred);
      count++;
    }
    const lNew = p.alpha * (yt - seasonPrev) + (1 - p.alpha) * (l + p.phi * b);
    b = p.beta * (lNew - l) + (1 - p.beta) * p.phi * b;
    l = lNew;
    level[t] = l;
    trend[t] = b;
    seasonal[t] = m > 1 ? (t >= m ? p.gamma * (yt - l) + (1 - p.gamma) * seasonPrev : seasonPrev) : 0;
  }
  return {
    params: p,
    season: m,
    level,
    trend,
    seasonal,
    mae: count ? abs / count : Number.POSITIVE_INFINITY,
  };
}

/** The h-step-ahead point forecast made at origin t (after seeing y[t]). */
export function hwForecastAt(st: HwState, t: number, h: number): number {
  const { phi } = st.params;
  let damp = 0;
  let f = 1;
  for (let j = 1; j <= h; j++) {
    f *= phi;
    damp += f;
  }
  const m = st.season;
  const seas = m > 1 ? st.seasonal[t + h - m * Math.ceil(h / m)]! : 0;
  return st.level[t]! + damp * st.trend[t]! + seas;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75];
const BETAS = [0, 0.02, 0.1];
const GAMMAS = [0.01, 0.05, 0.15, 0.3];
const PHIS = [0.9, 0.98];

// The backtested candidate's coarser grid (4 x (1 + 1) x 3 = 24 passes): it is fitted twice per series, and
// forecastSeries runs on hundreds of series at once.
const COARSE = { alphas: [0.05, 0.15, 0.35, 0.6], betas: [0, 0.05], gammas: [0.05, 0.15, 0.3], phis: [0.95] };

/** Fits the parameters by grid search (6 x 3 x 4 x 2 = 144 passes over the series; 24 with `coarse`). */
export function fitHoltWinters(y: readonly number[], s: number, coarse = false): HwState {
  const g = coarse ? COARSE : { alphas: ALPHAS, betas: BETAS, gammas: GAMMAS, phis: PHIS };
  let best: HwState | null = null;
  for (const alpha of g.alphas)
    for (const beta of g.betas)
      for (const gamma of s > 1 ? g.gammas : [0])
        for (const phi of beta === 0 ? [1] : g.phis) {
          const st = runHoltWinters(y, s, { alpha, beta, gamma, phi });
          if (!best || st.mae < best.mae) best = st;
        }
  return best!;
}
