import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forecastValues } from '../src/analytics/forecast/index.js';
import { detectSeason, parseSeriesCsv } from '../src/analytics/_series/index.js';
import { SHARED_DIR } from './cli.js';

function weekly(n: number, noise = 0.05, seed = 1): number[] {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: n }, (_, t) => (100 + 0.5 * t) * (t % 7 >= 5 ? 0.5 : 1) * (1 + noise * r()));
}

test('the model tier follows the history: under 7 days naive, 7 to 27 a seasonal profile, 28+ Holt-Winters', () => {
  assert.equal(forecastValues(weekly(5), { horizon: 3, season: 7 }).tier, 'naive');
  assert.equal(forecastValues(weekly(20), { horizon: 3, season: 7 }).tier, 'profile');
  assert.equal(forecastValues(weekly(60), { horizon: 3, season: 7 }).tier, 'ets');
});

test('a weekly series is forecast with its weekend dip and ordered quantiles', () => {
  const f = forecastValues(weekly(84), { horizon: 14, season: 7 });
  // Steps 6 and 7 after t=83 are t=89,90: 89%7=5, 90%7=6, the weekend.
  const weekday = f.points[0]!.p50; // t=84, 84%7=0
  const weekend = f.points[5]!.p50;
  assert.ok(weekend < 0.7 * weekday, `${weekend} vs ${weekday}`);
  for (const p of f.points) assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90);
});

test('the end-of-period interval is narrower than the sum of the daily intervals', () => {
  const f = forecastValues(weekly(120, 0.15), { horizon: 28, season: 7 });
  const sumWidth = f.points.reduce((a, p) => a + (p.p90 - p.p10), 0);
  const totalWidth = f.total.p90 - f.total.p10;
  assert.ok(totalWidth > 0 && totalWidth < 0.8 * sumWidth, `${totalWidth} vs ${sumWidth}`);
  const sumP50 = f.points.reduce((a, p) => a + p.p50, 0);
  assert.ok(f.total.p10 < sumP50 && sumP50 < f.total.p90);
});

test('spend forecasts are never negative', () => {
  const f = forecastValues([5, 0, 0, 9, 0, 0, 1, 0], { horizon: 10, season: 1 });
  for (const p of f.points) assert.ok(p.p10 >= 0);
});

test('season detection finds a week in daily data and a day in hourly data', () => {
  assert.equal(detectSeason(weekly(90), 86_400_000), 7);
  const hourly = Array.from(
    { length: 24 * 14 },
    (_, t) => 50 + 30 * Math.sin((2 * Math.PI * t) / 24) + (t % 5),
  );
  assert.equal(detectSeason(hourly, 3_600_000), 24);
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 6 - 3;
  const noisyTrend = Array.from({ length: 60 }, (_, t) => t * 2 + noise());
  assert.equal(detectSeason(noisyTrend, 86_400_000), 1);
});

test('the public Peyton Manning series is forecast a week ahead better than by seasonal naive', (t) => {
  const file = join(SHARED_DIR, 'data/forecast-example/example_wp_log_peyton_manning.csv');
  if (!existsSync(file)) return t.skip('shared data absent');
  const [s] = parseSeriesCsv(readFileSync(file, 'utf8'));
  const y = s!.values;
  let model = 0;
  let naive = 0;
  // 20 origins over the last 700 days, 7-day horizon each.
  for (let o = y.length - 700; o < y.length - 7; o += 35) {
    const f = forecastValues(y.slice(0, o), { horizon: 7, season: 7 });
    for (let h = 0; h < 7; h++) {
      model += Math.abs(y[o + h]! - f.points[h]!.p50);
      naive += Math.abs(y[o + h]! - y[o - 7 + (h % 7)]!);
    }
  }
  assert.ok(model < naive, `${model} vs ${naive}`);
});

test('hourly data with quiet weekends gets the hour-of-week season, without them the hour of day', () => {
  let seed = 11;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 4;
  const hours = (weekend: number) =>
    Array.from({ length: 24 * 7 * 6 }, (_, t) => {
      const dow = Math.floor(t / 24) % 7;
      return 100 + 30 * Math.sin((2 * Math.PI * t) / 24) - (dow >= 5 ? weekend : 0) + noise();
    });
  assert.equal(detectSeason(hours(10), 3_600_000), 168);
  assert.equal(detectSeason(hours(0), 3_600_000), 24);
});
