/**
 * `npm run eval:forecast`: the product's forecaster (forecastSeries: backtest-selected model, conformal bands)
 * against seasonal naive on public data and on the synthetic suite.
 * - Public (read from ../shared/data; skipped when absent): M4 Weekly (13 weeks ahead; odd rows tune, even rows
 *   report), Prophet's daily page views (28 days ahead), Yosemite temperatures (5-minute, 1 day ahead; and hourly
 *   means, 48 h ahead), NAB artificial series (5-minute and hourly sums). For the non-M4 series the origins (every
 *   horizon/2.. steps) in the first half of each series tune and those in the second half report.
 * - Hold-out (optional): every `timestamp,value` CSV in the directory TALLY_FORECAST_HOLDOUT names (outside the
 *   repository), scored at all its origins with the report split; nothing is tuned on it.
 * - Fresh demand data (optional): TALLY_FORECAST_FRESH names a directory (outside the repository) whose `tune/` and
 *   `report/` folders hold `timestamp,value` CSVs; 5- and 30-minute files are summed to hours (48 h ahead; also at
 *   their own step, a day ahead in 5-minute / 2 days in 30-minute steps, with TALLY_FORECAST_FRESH_NATIVE=1), every
 *   origin scored in the split its folder names.
 * - Synthetic: the seeded suite (3 seeds), one origin at the end of each series against its clean continuation.
 * Metrics: MASE (scale: in-sample seasonal-naive MAE with m = 7 daily, 24 hourly, 288 five-minute, 1 weekly as in
 * M4; `ratioM4Scale` weighs windows by M4's own scale, m = 1 for daily data; `ratioM4` also keeps to M4's horizons,
 * the first 14 days of a daily window), sMAPE, and how often actuals fall inside p10-p90 (target 0.75-0.85; `coverage80Wide` counts only points whose
 * band has width, leaving out series forecast exactly, such as NAB's noise-free ones). `ratio` = model MASE /
 * baseline MASE.
 * Usage: node --import tsx bench/eval-forecast.ts [--split tune|report|all] [--diag] [--linear]
 */
import { forecastSeries, type SeriesForecast } from '../src/analytics/forecast/index.js';
import { regular } from '../src/analytics/forecast/_select.js';
import {
  fresh,
  holdout,
  m4Weekly,
  nabArtificial,
  prophetExamples,
  type PublicSeries,
} from './_forecast-data.js';
import { generateSuite } from './_suite.js';
import { ENSEMBLE_OF, forecastAll } from '../src/analytics/forecast/_models.js';
import { weekOf } from '../src/analytics/forecast/_seasonal-median.js';

function candidateForecasts(
  rawTs: readonly number[],
  rawY: readonly number[],
  H: number,
  seasons: readonly number[],
) {
  const step = rawTs.length > 1 ? rawTs[1]! - rawTs[0]! : 86_400_000;
  // Daily: missing days filled as the product fills them (the yearly candidate counts days back; a gap would shift it).
  const raw = rawTs.map((timestamp, i) => ({ timestamp, value: rawY[i]! }));
  const grid = step === 86_400_000 ? regular(raw, step) : raw;
  const ts = grid.map((p) => p.timestamp);
  const y = grid.map((p) => p.value);
  const all: Record<string, number[]> = forecastAll(
    {
      y,
      seasons,
      phase0: Math.round(ts[0]! / step),
      holidays: new Set(),
      perDay: step < 86_400_000 ? 86_400_000 / step : 1,
      weekMedian: step < 86_400_000 && y.length >= 3 * weekOf(seasons) && weekOf(seasons) > 0,
      linear: LINEAR,
      yearly: step === 86_400_000,
    },
    H,
  );
  all.ensemble = Array.from(
    { length: H },
    (_, h) => ENSEMBLE_OF.reduce((a, k) => a + all[k]![h]!, 0) / ENSEMBLE_OF.length,
  );
  return all;
}

// --linear: the learned linear candidate joins the backtest (off by default in the product: ADR 0050).
const LINEAR = process.argv.includes('--linear');
const splitArg = process.argv.includes('--split') ? process.argv[process.argv.indexOf('--split') + 1] : 'all';
const MASE_M = { weekly: 1, daily: 7, hourly: 24, '30min': 48, '5min': 288 } as const;
const HORIZON = { weekly: 13, daily: 28, hourly: 48, '30min': 96, '5min': 288 } as const;
/**
 * M4's own MASE scale (Makridakis et al. 2020): the in-sample seasonal-naive MAE with m = 1 for weekly and daily
 * data and 24 for hourly (M4 had no 5-minute data: a day, 288, as above). The ratio to seasonal naive within one
 * window does not depend on the scale; across windows the scale weighs them, so both weightings are printed.
 */
const MASE_M4 = { weekly: 1, daily: 1, hourly: 24, '30min': 48, '5min': 288 } as const;
/** M4's horizons (daily 14 days, not 28): `ratioM4` scores the first this many steps with M4's scale. */
const HORIZON_M4 = { weekly: 13, daily: 14, hourly: 48, '30min': 96, '5min': 288 } as const;

interface Acc {
  mase: number;
  maseBase: number;
  /** The same with M4's scale (m = 1 for daily data). */
  maseM4: number;
  maseBaseM4: number;
  /** M4's scale over M4's horizon (the first 14 steps of a daily window). */
  maseM4H: number;
  maseBaseM4H: number;
  smape: number;
  smapeBase: number;
  inside: number;
  points: number;
  /** Points whose p10-p90 band has width (an exactly repeating series is forecast exactly, with a zero-width band). */
  wideInside: number;
  widePoints: number;
  windows: number;
  models: Record<string, number>;
}
const groups = new Map<string, Acc>();

function score(
  key: string,
  hist: readonly number[],
  future: readonly number[],
  f: SeriesForecast,
  m: number,
  m4: number,
  h4 = future.length,
) {
  const acc: Acc = groups.get(key) ?? {
    mase: 0,
    maseBase: 0,
    maseM4: 0,
    maseBaseM4: 0,
    maseM4H: 0,
    maseBaseM4H: 0,
    smape: 0,
    smapeBase: 0,
    inside: 0,
    points: 0,
    wideInside: 0,
    widePoints: 0,
    windows: 0,
    models: {},
  };
  groups.set(key, acc);
  const n = hist.length;
  const p = n > m ? m : 1;
  let scale = 0;
  for (let t = p; t < n; t++) scale += Math.abs(hist[t]! - hist[t - p]!);
  scale = scale / (n - p) || 1e-9;
  const p4 = n > m4 ? m4 : 1;
  let scaleM4 = 0;
  for (let t = p4; t < n; t++) scaleM4 += Math.abs(hist[t]! - hist[t - p4]!);
  scaleM4 = scaleM4 / (n - p4) || 1e-9;
  let e = 0;
  let eb = 0;
  let e4 = 0;
  let eb4 = 0;
  const k4 = Math.min(h4, future.length);
  future.forEach((y, h) => {
    const q = f.points[h]!;
    const base = hist[n - p + (h % p)]!;
    e += Math.abs(y - q.p50);
    eb += Math.abs(y - base);
    if (h < k4) {
      e4 += Math.abs(y - q.p50);
      eb4 += Math.abs(y - base);
    }
    acc.smape += (200 * Math.abs(y - q.p50)) / (Math.abs(y) + Math.abs(q.p50) || 1) / future.length;
    acc.smapeBase += (200 * Math.abs(y - base)) / (Math.abs(y) + Math.abs(base) || 1) / future.length;
    if (y >= q.p10 && y <= q.p90) acc.inside++;
    acc.points++;
    if (q.p90 > q.p10) {
      acc.widePoints++;
      if (y >= q.p10 && y <= q.p90) acc.wideInside++;
    }
  });
  acc.mase += e / future.length / scale;
  acc.maseBase += eb / future.length / scale;
  acc.maseM4 += e / future.length / scaleM4;
  acc.maseBaseM4 += eb / future.length / scaleM4;
  acc.maseM4H += e4 / k4 / scaleM4;
  acc.maseBaseM4H += eb4 / k4 / scaleM4;
  acc.windows++;
  const name = f.backtest?.members.join('+') ?? f.model;
  acc.models[name] = (acc.models[name] ?? 0) + 1;
}

const t0 = performance.now();
let calls = 0;
function run(hist: PublicSeries, end: number, H: number) {
  calls++;
  const pts = hist.timestamps.slice(0, end).map((timestamp, i) => ({ timestamp, value: hist.values[i]! }));
  return forecastSeries(pts, { horizon: H, linear: LINEAR });
}

// TALLY_FORECAST_FRESH_NATIVE=1: fresh sub-hourly files are also scored at their own step, not only summed to hours.
const FRESH_NATIVE = process.env.TALLY_FORECAST_FRESH_NATIVE === '1';

// --diag: also score every candidate as if it were always chosen (shows what selection gains or loses).
const DIAG = process.argv.includes('--diag');
function diag(
  key: string,
  s: PublicSeries,
  end: number,
  H: number,
  future: readonly number[],
  m: number,
  m4: number,
) {
  if (!DIAG) return;
  const freq = key.split('/')[1] as keyof typeof HORIZON_M4;
  const f = run(s, end, H);
  const hist = s.values.slice(0, end);
  for (const [name, p50] of Object.entries(
    candidateForecasts(s.timestamps.slice(0, end), hist, H, f.seasons),
  ))
    score(
      `${key} [${name}]`,
      hist,
      future,
      { ...f, model: f.model, points: p50.map((v) => ({ timestamp: 0, p10: v, p50: v, p90: v })) },
      m,
      m4,
      HORIZON_M4[freq] ?? H,
    );
}

for (const [i, s] of m4Weekly().entries()) {
  const split = i % 2 ? 'tune' : 'report';
  if (splitArg !== 'all' && split !== splitArg) continue;
  const H = Math.min(13, s.test!.length);
  score(`m4-weekly/weekly/${split}`, s.values, s.test!.slice(0, H), run(s, s.values.length, H), 1, 1);
  diag(`m4-weekly/weekly/${split}`, s, s.values.length, H, s.test!.slice(0, H), 1, 1);
}

/** The eval's rolling origins of a series: from 4 seasons (at least 56 steps, at most half) every horizon or more. */
function originsOf(s: PublicSeries): number[] {
  const H = HORIZON[s.freq];
  const n = s.values.length;
  const minHist = Math.min(Math.max(4 * MASE_M[s.freq], 8 * 7), Math.floor(n / 2));
  const stride = Math.max(H, Math.floor((n - H - minHist) / 40));
  const origins: number[] = [];
  for (let t = minHist; t + H <= n; t += stride) origins.push(t);
  return origins;
}

for (const s of [...prophetExamples(), ...nabArtificial()]) {
  const H = HORIZON[s.freq];
  const m = MASE_M[s.freq];
  const origins = originsOf(s);
  origins.forEach((t, k) => {
    const split = k < origins.length / 2 ? 'tune' : 'report';
    if (splitArg !== 'all' && split !== splitArg) return;
    const m4 = MASE_M4[s.freq];
    score(
      `${s.dataset}/${s.freq}/${split}`,
      s.values.slice(0, t),
      s.values.slice(t, t + H),
      run(s, t, H),
      m,
      m4,
      HORIZON_M4[s.freq],
    );
    diag(`${s.dataset}/${s.freq}/${split}`, s, t, H, s.values.slice(t, t + H), m, m4);
  });
}

// The fresh hold-out (TALLY_FORECAST_HOLDOUT): every origin is reported, none tunes; it runs with the report split.
for (const s of splitArg === 'tune' ? [] : holdout()) {
  const H = HORIZON[s.freq];
  const n = s.values.length;
  const minHist = Math.min(Math.max(4 * MASE_M[s.freq], 8 * 7), Math.floor(n / 2));
  for (let t = minHist; t + H <= n; t += Math.max(H, Math.floor((n - H - minHist) / 40)))
    score(
      `${s.dataset}/${s.freq}/holdout`,
      s.values.slice(0, t),
      s.values.slice(t, t + H),
      run(s, t, H),
      MASE_M[s.freq],
      MASE_M4[s.freq],
      HORIZON_M4[s.freq],
    );
}

// Fresh demand data (TALLY_FORECAST_FRESH): a file in its tune/ folder is scored at all its origins with the tuning
// split, one in report/ with the report split. Each file is also its own group (`fresh:<file>`).
for (const s of fresh(FRESH_NATIVE)) {
  if (splitArg !== 'all' && s.split !== splitArg) continue;
  const H = HORIZON[s.freq];
  for (const t of originsOf(s)) {
    const hist = s.values.slice(0, t);
    const future = s.values.slice(t, t + H);
    const f = run(s, t, H);
    for (const key of [`fresh/${s.freq}/${s.split}`, `fresh:${s.id}/${s.freq}/${s.split}`])
      score(key, hist, future, f, MASE_M[s.freq], MASE_M4[s.freq], HORIZON_M4[s.freq]);
    diag(`fresh/${s.freq}/${s.split}`, s, t, H, future, MASE_M[s.freq], MASE_M4[s.freq]);
  }
}

for (const seed of [23, 24, 25]) {
  for (const s of generateSuite(100, seed, 48)) {
    const n = s.values.length;
    const H = s.granularity === 'day' ? 28 : 48;
    const step = s.granularity === 'day' ? 86_400_000 : 3_600_000;
    const start = Date.UTC(2026, 0, 1) + (seed % 7) * step;
    const pts = s.clean.slice(0, n).map((value, i) => ({ timestamp: start + i * step, value }));
    calls++;
    const f = forecastSeries(pts, { horizon: H });
    score(
      `synthetic/${s.granularity === 'day' ? 'daily' : 'hourly'}/seeds 23-25`,
      s.clean.slice(0, n),
      s.clean.slice(n, n + H),
      f,
      s.season,
      s.granularity === 'day' ? 1 : 24,
    );
  }
}

const rows = [...groups].map(([key, a]) => ({
  group: key,
  windows: a.windows,
  mase: +(a.mase / a.windows).toFixed(3),
  maseSeasonalNaive: +(a.maseBase / a.windows).toFixed(3),
  ratio: +(a.mase / a.maseBase).toFixed(3),
  ratioM4Scale: +(a.maseM4 / a.maseBaseM4).toFixed(3),
  ratioM4: +(a.maseM4H / a.maseBaseM4H).toFixed(3),
  smape: +(a.smape / a.windows).toFixed(2),
  smapeSeasonalNaive: +(a.smapeBase / a.windows).toFixed(2),
  coverage80: +(a.inside / a.points).toFixed(3),
  coverage80Wide: +(a.wideInside / Math.max(1, a.widePoints)).toFixed(3),
  models: a.models,
}));
console.table(rows.map(({ models, ...r }) => ({ ...r, models: JSON.stringify(models) })));
console.log(
  JSON.stringify({ split: splitArg, calls, runtimeMs: Math.round(performance.now() - t0), groups: rows }),
);
