/**
 * `npm run eval:forecast`: MASE of the default forecaster against a seasonal-naive baseline and the coverage of
 * its 80% (p10-p90) intervals, on the clean synthetic suite with known future values. Also checks the
 * end-of-horizon total interval's coverage. Scale = in-sample MAE of the one-season-back naive forecast.
 */
import { forecastValues } from '../src/analytics/forecast/index.js';
import { detectSeason } from '../src/analytics/_series/index.js';
import { generateSuite } from './_suite.js';

const count = Number(process.argv[2] ?? 300);
const suite = generateSuite(count, 23, 48);
let maseModel = 0;
let maseNaive = 0;
let inside = 0;
let points = 0;
let totalsInside = 0;
const byTier: Record<string, number> = {};
// The CLI detects the season when --season is absent: count how often it finds the true one.
let seasonFound = 0;
let maseDetected = 0;
let insideDetected = 0;
const t0 = performance.now();
for (const s of suite) {
  const H = s.granularity === 'day' ? 28 : 48;
  const n = s.values.length;
  const hist = s.clean.slice(0, n);
  const future = s.clean.slice(n, n + H);
  const m = s.season;
  let scale = 0;
  for (let t = m; t < n; t++) scale += Math.abs(hist[t]! - hist[t - m]!);
  scale /= n - m;
  const detected = detectSeason(hist, s.granularity === 'day' ? 86_400_000 : 3_600_000);
  if (detected === m) seasonFound++;
  const fd = forecastValues(hist, { horizon: H, season: detected });
  let eDetected = 0;
  future.forEach((y, h) => {
    eDetected += Math.abs(y - fd.points[h]!.p50);
    const p = fd.points[h]!;
    if (y >= p.p10 && y <= p.p90) insideDetected++;
  });
  maseDetected += eDetected / H / scale;
  const f = forecastValues(hist, { horizon: H, season: m });
  byTier[f.tier] = (byTier[f.tier] ?? 0) + 1;
  let eModel = 0;
  let eNaive = 0;
  future.forEach((y, h) => {
    const p = f.points[h]!;
    eModel += Math.abs(y - p.p50);
    eNaive += Math.abs(y - hist[n - m + (h % m)]!);
    if (y >= p.p10 && y <= p.p90) inside++;
    points++;
  });
  maseModel += eModel / H / scale;
  maseNaive += eNaive / H / scale;
  const total = future.reduce((a, b) => a + b, 0);
  if (total >= f.total.p10 && total <= f.total.p90) totalsInside++;
}
const result = {
  series: suite.length,
  maseModel: +(maseModel / suite.length).toFixed(3),
  maseSeasonalNaive: +(maseNaive / suite.length).toFixed(3),
  ratioToSeasonalNaive: +(maseModel / maseNaive).toFixed(3),
  coverage80: +(inside / points).toFixed(3),
  totalCoverage80: +(totalsInside / suite.length).toFixed(3),
  tiers: byTier,
  seasonDetectedCorrectly: +(seasonFound / suite.length).toFixed(3),
  withDetectedSeason: {
    ratioToSeasonalNaive: +(maseDetected / maseNaive).toFixed(3),
    coverage80: +(insideDetected / points).toFixed(3),
  },
  runtimeMs: Math.round(performance.now() - t0),
};
// Cold start: daily series cut to their last 5, 14 or 21 days of history (naive and profile tiers), 14-day
// horizon. Baseline: seasonal naive with 7+ days of history, else the last value repeated.
const coldStart = [5, 14, 21].map((days) => {
  let model = 0;
  let base = 0;
  let hit = 0;
  let pts = 0;
  let tier = '';
  for (const s of suite.filter((x) => x.granularity === 'day')) {
    const n = s.values.length;
    const hist = s.clean.slice(n - days, n);
    const future = s.clean.slice(n, n + 14);
    const f = forecastValues(hist, { horizon: 14, season: 7 });
    tier = f.tier;
    future.forEach((y, h) => {
      const p = f.points[h]!;
      model += Math.abs(y - p.p50);
      base += Math.abs(y - (days >= 7 ? hist[days - 7 + (h % 7)]! : hist[days - 1]!));
      if (y >= p.p10 && y <= p.p90) hit++;
      pts++;
    });
  }
  return {
    historyDays: days,
    tier,
    maeRatioToBaseline: +(model / base).toFixed(3),
    coverage80: +(hit / pts).toFixed(3),
  };
});
console.log(JSON.stringify({ ...result, coldStart }, null, 2));
