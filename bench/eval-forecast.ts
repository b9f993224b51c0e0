/**
 * `npm run eval:forecast`: MASE of the default forecaster against a seasonal-naive baseline and the coverage of
 * its 80% (p10-p90) intervals, on the clean synthetic suite with known future values. Also checks the
 * end-of-horizon total interval's coverage. Scale = in-sample MAE of the one-season-back naive forecast.
 */
import { forecastValues } from '../src/analytics/forecast/index.js';
import { generateSuite } from './_suite.js';

const count = Number(process.argv[2] ?? 300);
const suite = generateSuite(count, 23, 48);
let maseModel = 0;
let maseNaive = 0;
let inside = 0;
let points = 0;
let totalsInside = 0;
const byTier: Record<string, number> = {};
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
  runtimeMs: Math.round(performance.now() - t0),
};
console.log(JSON.stringify(result, null, 2));
