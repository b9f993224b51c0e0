import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forecastSeries } from '../src/analytics/forecast/index.js';
import { detectSeason, parseSeriesCsv } from '../src/analytics/_series/index.js';
import { SHARED_DIR } from './cli.js';

function weekly(n: number, noise = 0.05, seed = 1): number[] {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: n }, (_, t) => (100 + 0.5 * t) * (t % 7 >= 5 ? 0.5 : 1) * (1 + noise * r()));
}

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
    const f = forecastSeries(
      y.slice(0, o).map((value, i) => ({ timestamp: s!.timestamps[i]!, value })),
      { horizon: 7 },
    );
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
