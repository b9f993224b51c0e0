/**
 * Forecasts from short histories (issue 13 item 2: "short histories (from 7 days)") scored on public data: at
 * rolling origins of each public daily series, and of M4 Weekly, only the last N points (N = 7, 10, 14, 21) are
 * given to `forecastSeries`, and the next H points are scored. Baselines on the same N points: naive (last value),
 * seasonal naive (daily data, m = 7) and the mean of the last N.
 *
 * MASE's scale is the series' in-sample seasonal-naive MAE over all history before the origin (m = 7 daily, 1 weekly),
 * not over the N points, so one scale serves every N and every method. Ratios are mean MASE over seasonal naive's
 * (daily) or naive's (weekly, where M4 has no usable season).
 *
 * Split: page views (daily) and the odd M4 Weekly series tune; the even M4 Weekly series and the hold-out
 * (TALLY_FORECAST_HOLDOUT, daily series only) report. Nothing is tuned on the report split.
 *
 * Usage: npm run eval:forecast-short -- [--split tune|report] [--horizon H]; LENGTHS=7,10,14,21 (default) sets N.
 */
import { forecastSeries } from '../src/analytics/forecast/index.js';
import { holdout, m4Weekly, prophetExamples, type PublicSeries } from './_forecast-data.js';

const arg = (k: string) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : undefined);
const split = arg('--split') ?? 'tune';
const LENGTHS = (process.env.LENGTHS ?? '7,10,14,21').split(',').map(Number);
const METHODS = ['tally', 'naive', 'seasonal-naive', 'mean'] as const;
type Method = (typeof METHODS)[number];

interface Acc {
  windows: number;
  mase: Record<Method, number>;
  cover: number;
  points: number;
}
const groups = new Map<string, Acc>();
const acc = (k: string): Acc => {
  let a = groups.get(k);
  if (!a) {
    a = { windows: 0, mase: { tally: 0, naive: 0, 'seasonal-naive': 0, mean: 0 }, cover: 0, points: 0 };
    groups.set(k, a);
  }
  return a;
};

function scale(y: readonly number[], end: number, m: number): number {
  let s = 0;
  for (let i = m; i < end; i++) s += Math.abs(y[i]! - y[i - m]!);
  return end > m ? s / (end - m) : 0;
}

function window(
  s: PublicSeries,
  t: number,
  n: number,
  H: number,
  m: number,
  actual: readonly number[],
  sc: number,
): void {
  const hist = s.values.slice(t - n, t);
  const stamps = s.timestamps.slice(t - n, t);
  const f = forecastSeries(
    stamps.map((timestamp, i) => ({ timestamp, value: hist[i]! })),
    { horizon: H },
  );
  const last = hist[n - 1]!;
  const mean = hist.reduce((a, v) => a + v, 0) / n;
  const pred: Record<Method, (h: number) => number> = {
    tally: (h) => f.points[h]!.p50,
    naive: () => last,
    'seasonal-naive': (h) => (m > 1 && n >= m ? hist[n - m + (h % m)]! : last),
    mean: () => mean,
  };
  const a = acc(`${s.freq}/n=${String(n).padStart(2, '0')}`);
  a.windows++;
  for (const k of METHODS) {
    let e = 0;
    for (let h = 0; h < H; h++) e += Math.abs(actual[h]! - pred[k](h));
    a.mase[k] += e / H / sc;
  }
  f.points.forEach((p, h) => {
    a.points++;
    if (actual[h]! >= p.p10 && actual[h]! <= p.p90) a.cover++;
  });
}

const daily = (list: PublicSeries[]) => list.filter((s) => s.freq === 'daily');
const tuneSeries = daily(prophetExamples());
const reportSeries = daily(holdout());
const m4 = m4Weekly();
const Hd = Number(arg('--horizon') ?? 14);

for (const s of split === 'tune' ? tuneSeries : reportSeries) {
  // Origins every 9 days from day 60 (a scale needs history), leaving a whole horizon after each.
  for (let t = 60; t + Hd <= s.values.length; t += 9) {
    const sc = scale(s.values, t, 7);
    if (!(sc > 0)) continue;
    for (const n of LENGTHS) window(s, t, n, Hd, 7, s.values.slice(t, t + Hd), sc);
  }
}
m4.forEach((s, i) => {
  if ((i % 2 ? 'tune' : 'report') !== split) return;
  const y = [...s.values, ...(s.test ?? [])];
  const t = s.values.length;
  const H = Math.min(13, y.length - t);
  const sc = scale(s.values, t, 1);
  if (H < 1 || !(sc > 0) || t < 21) return;
  for (const n of LENGTHS)
    window(
      { ...s, values: y, timestamps: y.map((_, k) => s.timestamps[0]! + k * 7 * 86_400_000) },
      t,
      n,
      H,
      1,
      y.slice(t, t + H),
      sc,
    );
});

const rows = [...groups].sort().map(([k, a]) => {
  const base = k.startsWith('weekly') ? a.mase.naive : a.mase['seasonal-naive'];
  return {
    group: k,
    windows: a.windows,
    ...Object.fromEntries(METHODS.map((m) => [m, +(a.mase[m] / a.windows).toFixed(3)])),
    ratio: +(a.mase.tally / base).toFixed(3),
    coverage80: +(a.cover / a.points).toFixed(3),
  };
});
for (const r of rows) console.log(JSON.stringify(r));
