/**
 * The `linear` candidate: a learned direct linear forecaster (the LTSF-Linear family: NLinear and DLinear). Each
 * series is fitted on its own past: every window of the last L points in the history is an input, the H points
 * after it are the targets, and one ridge-regularised least-squares map sends the window to all H steps at once
 * (no recursion, so no compounding of one-step errors).
 * - NLinear: the window's last value is subtracted from its inputs and from the targets, and added back to the
 *   forecast, so a level shift in the history does not bias the map.
 * - DLinear: the window is split into a moving-average trend and the remainder, each with its own map (with ridge,
 *   a different penalty than one map on the raw window).
 * Cost: the moments of all windows come from one pass over the history (each diagonal of the window's Gram matrix
 * is updated from the one before, O((L + H) n) in all), inputs of sub-hourly data are hourly means (plus the last
 * hour as it is), and one Cholesky factorisation serves all H targets.
 */
import { choleskySolve } from './_linalg.js';

/**
 * The candidate's settings, chosen on the tuning split (docs/benchmarks.md, "Forecast, session 10"; ADR 0050):
 * NLinear over DLinear (as if always used, DLinear was 1.11 / 1.16 / 1.07 of seasonal naive on M4 / page views /
 * Yosemite hourly against NLinear's 0.73 / 1.01 / 0.88), two seasons of window over one or three, ridge 0.1 over
 * 0.01 or 1, raw values over logs, six seasons of training windows over three or eight.
 */
export interface LinearConfig {
  /** NLinear (last value subtracted), DLinear (trend and remainder maps), or both at once. */
  readonly variant: 'nlinear' | 'dlinear' | 'dnlinear';
  /** Input window in primary seasons (a day of hourly data, a week of daily data). */
  readonly windowSeasons: number;
  /** Ridge penalty as a share of the mean diagonal of the normal matrix. */
  readonly ridge: number;
  /** Fit on logs when every value is positive (a level shift is then a ratio). */
  readonly log: boolean;
  /** Fewest training windows, in primary seasons: shorter histories skip the candidate. */
  readonly minSeasons: number;
}

export const LINEAR_CONFIG: LinearConfig = {
  variant: 'nlinear',
  windowSeasons: 2,
  ridge: 0.1,
  log: false,
  minSeasons: 6,
};

/** Most recent points the fit reads (24 weeks of hours, 14 days of 5 minutes, as the product's history cap). */
const MAX_POINTS = 4032;

/**
 * Point forecasts for steps 1..H, or null when the history is too short (under the window, the horizon and
 * `minSeasons` seasons of training windows) or has no season: the candidate then sits out.
 */
export function linearForecast(
  y: readonly number[],
  seasons: readonly number[],
  perDay: number,
  H: number,
  cfg: LinearConfig = LINEAR_CONFIG,
): number[] | null {
  const s = seasons.find((p) => p > 1);
  if (!s || H < 1) return null;
  const b = perDay > 24 && perDay % 24 === 0 ? perDay / 24 : 1;
  const L = Math.ceil((cfg.windowSeasons * s) / b) * b;
  const hist = y.length > MAX_POINTS ? y.slice(-MAX_POINTS) : y;
  const n = hist.length;
  const coords = inputCoords(L, b);
  const F0 = coords.length;
  if (n < L + H + Math.max(cfg.minSeasons * s, 2 * F0)) return null;
  const log = cfg.log && hist.every((v) => v > 0);
  const z = log ? hist.map(Math.log) : hist.slice();
  const mu = z.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(z.reduce((a, v) => a + (v - mu) ** 2, 0) / n);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mu)))) return new Array<number>(H).fill(hist[n - 1]!);
  const x = z.map((v) => (v - mu) / sd);
  const map = fitMap(x, L, H, coords, s, b, cfg);
  if (!map) return null;
  // Today's window, in the same coordinates.
  const w = x.slice(n - L);
  const c = [...coords.map((ix) => ix.reduce((a, i) => a + w[i]!, 0) / ix.length), w[L - 1]!, 1];
  const f = map.rows.map((row) => row.reduce((a, [k, v]) => a + v * c[k]!, 0));
  const shift = map.subtractLast ? w[L - 1]! : 0;
  const out = Array.from({ length: H }, (_, h) => {
    let v = shift;
    for (let k = 0; k < f.length; k++) v += f[k]! * map.W[k * H + h]!;
    const back = v * sd + mu;
    return log ? Math.exp(back) : back;
  });
  // A map that leaves the history's range by more than ten ranges has fitted noise (a near-constant series with a
  // few spikes): the candidate sits out rather than enter the backtest with it.
  return withinRange(out, hist) ? out : null;
}

function withinRange(f: readonly number[], y: readonly number[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const r = Math.max(hi - lo, Math.abs(hi) * 1e-6, 1e-9);
  return f.every((v) => Number.isFinite(v) && v >= lo - 10 * r && v <= hi + 10 * r);
}

/**
 * The inputs as sets of window positions (each input is the mean of its set), oldest first: every position for
 * hourly and slower data; for sub-hourly data hourly means of the window plus the last hour's points as they are.
 */
function inputCoords(L: number, b: number): number[][] {
  if (b === 1) return Array.from({ length: L }, (_, i) => [i]);
  const blocks = Array.from({ length: L / b }, (_, k) => Array.from({ length: b }, (_, j) => k * b + j));
  const recent = Array.from({ length: b }, (_, j) => [L - b + j]);
  return [...blocks, ...recent];
}

/** Sparse feature rows over the coordinates [inputs..., last value, 1]: (coordinate, weight) pairs. */
type Row = [number, number][];

interface LinearMap {
  readonly rows: Row[];
  /** F x H weights, row-major. */
  readonly W: Float64Array;
  readonly subtractLast: boolean;
}

function fitMap(
  x: readonly number[],
  L: number,
  H: number,
  coords: readonly (readonly number[])[],
  s: number,
  b: number,
  cfg: LinearConfig,
): LinearMap | null {
  const n = x.length;
  const J = L + H;
  const N = n - J + 1;
  const G = windowGram(x, J, N);
  const S = windowSums(x, J, N);
  const F0 = coords.length;
  // Coordinates: F0 inputs, the last value, the constant; and the H targets.
  const sets: readonly (readonly number[])[] = [...coords, [L - 1]];
  const C = F0 + 2;
  const Gc = new Float64Array(C * C);
  const Gt = new Float64Array(C * H);
  const mean = (p: readonly number[], q: readonly number[]) => {
    let a = 0;
    for (const i of p) for (const j of q) a += G[i * J + j]!;
    return a / (p.length * q.length);
  };
  const sumOf = (p: readonly number[]) => p.reduce((a, i) => a + S[i]!, 0) / p.length;
  for (let p = 0; p < C - 1; p++) {
    for (let q = 0; q <= p; q++) Gc[p * C + q] = Gc[q * C + p] = mean(sets[p]!, sets[q]!);
    Gc[p * C + C - 1] = Gc[(C - 1) * C + p] = sumOf(sets[p]!);
    for (let h = 0; h < H; h++) Gt[p * H + h] = mean(sets[p]!, [L + h]);
  }
  Gc[C * C - 1] = N;
  for (let h = 0; h < H; h++) Gt[(C - 1) * H + h] = S[L + h]!;
  const subtractLast = cfg.variant !== 'dlinear';
  const last = F0;
  if (subtractLast)
    // Targets minus the window's last value: E[c (t - last)] = E[c t] - E[c last].
    for (let p = 0; p < C; p++)
      for (let h = 0; h < H; h++) Gt[p * H + h] = Gt[p * H + h]! - Gc[p * C + last]!;
  const rows = featureRows(coords, F0, s, b, cfg.variant);
  const F = rows.length;
  const XtX = new Float64Array(F * F);
  const XtY = new Float64Array(F * H);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j <= i; j++) {
      let a = 0;
      for (const [p, u] of rows[i]!) for (const [q, v] of rows[j]!) a += u * v * Gc[p * C + q]!;
      XtX[i * F + j] = XtX[j * F + i] = a;
    }
    for (const [p, u] of rows[i]!)
      for (let h = 0; h < H; h++) XtY[i * H + h] = XtY[i * H + h]! + u * Gt[p * H + h]!;
  }
  let diag = 0;
  for (let i = 0; i < F - 1; i++) diag += XtX[i * F + i]!;
  const lambda = Math.max(1e-9, (cfg.ridge * diag) / Math.max(1, F - 1));
  for (let i = 0; i < F - 1; i++) XtX[i * F + i] = XtX[i * F + i]! + lambda;
  XtX[F * F - 1] = XtX[F * F - 1]! + 1e-9 * N;
  const W = choleskySolve(XtX, XtY, F, H);
  return W ? { rows, W, subtractLast } : null;
}

/**
 * The features as rows over the coordinates: NLinear inputs minus the last value; DLinear a centred moving average
 * of the hourly (or raw) inputs and the remainder; the constant last.
 */
function featureRows(
  coords: readonly (readonly number[])[],
  F0: number,
  s: number,
  b: number,
  variant: LinearConfig['variant'],
): Row[] {
  const last = F0;
  const one = F0 + 1;
  const base: Row[] = coords.map((_, k) =>
    variant === 'dlinear'
      ? [[k, 1]]
      : [
          [k, 1],
          [last, -1],
        ],
  );
  if (variant === 'nlinear') return [...base, [[one, 1]]];
  // The moving average runs over the evenly spaced inputs (hourly means, or raw points), a season wide
  // (odd, at most 25 as in DLinear), its ends repeating the edge values; the last hour's raw points are remainder.
  const even = b === 1 ? F0 : F0 - b;
  const k = Math.min(25, Math.max(3, Math.floor(s / b) | 1));
  const half = k >> 1;
  const trend: Row[] = base.map((_, i) => {
    if (i >= even) return [];
    const acc = new Map<number, number>();
    for (let d = -half; d <= half; d++) {
      const j = Math.min(even - 1, Math.max(0, i + d));
      for (const [p, v] of base[j]!) acc.set(p, (acc.get(p) ?? 0) + v / k);
    }
    return [...acc];
  });
  const rest: Row[] = base.map((row, i) => {
    const acc = new Map<number, number>(row);
    for (const [p, v] of trend[i]!) acc.set(p, (acc.get(p) ?? 0) - v);
    return [...acc].filter(([, v]) => v !== 0);
  });
  return [...trend.filter((r) => r.length), ...rest, [[one, 1]]];
}

/** G[i][j] = sum over windows u of x[u+i] x[u+j] for the N windows of length J (row-major J x J, symmetric). */
function windowGram(x: readonly number[], J: number, N: number): Float64Array {
  const G = new Float64Array(J * J);
  for (let j = 0; j < J; j++) {
    let a = 0;
    for (let u = 0; u < N; u++) a += x[u]! * x[u + j]!;
    G[j] = a;
  }
  // Each diagonal from the entry before it: drop the first window's pair, add the pair one window past the last.
  for (let i = 0; i + 1 < J; i++)
    for (let j = i; j + 1 < J; j++)
      G[(i + 1) * J + j + 1] = G[i * J + j]! - x[i]! * x[j]! + x[N + i]! * x[N + j]!;
  for (let i = 0; i < J; i++) for (let j = 0; j < i; j++) G[i * J + j] = G[j * J + i]!;
  return G;
}

/** S[i] = sum over windows u of x[u+i]. */
function windowSums(x: readonly number[], J: number, N: number): Float64Array {
  const S = new Float64Array(J);
  let a = 0;
  for (let u = 0; u < N; u++) a += x[u]!;
  S[0] = a;
  for (let i = 0; i + 1 < J; i++) S[i + 1] = S[i]! - x[i]! + x[N + i]!;
  return S;
}
