import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileForecast } from './_profile.js';

/** A day of 24 hours: a smooth curve, shifted by `level`, plus per-hour noise from `noise(i)`. */
function days(levels: readonly number[], noise: (i: number) => number = () => 0): number[] {
  return levels.flatMap((level, d) =>
    Array.from({ length: 24 }, (_, h) => level + 5 * Math.sin((2 * Math.PI * h) / 24) + noise(d * 24 + h)),
  );
}

test('the cycle profile averages the shape of the last cycles and re-levels it at the last cycle', () => {
  // Three days with opposite noise on alternate days: one day's shape is off, the mean of three much less so.
  const y = days([10, 10, 20], (i) => (Math.floor(i / 24) % 2 ? 1 : -1) * ((i % 24) % 2 ? 2 : -2));
  const f = profileForecast(y, [24], 24);
  for (let h = 0; h < 24; h++) {
    const clean = 20 + 5 * Math.sin((2 * Math.PI * h) / 24);
    // The last day alone is off by 2 at every hour; the three-day shape by 2/3, plus the last day's level error.
    assert.ok(Math.abs(f[h]! - clean) < 1.4, `hour ${h}: ${f[h]} vs ${clean}`);
  }
});

test('a weekday effect on the level is used when three weeks show it, and not from two weeks of noise', () => {
  // Hourly data, weekends (day classes 5 and 6 of each week from the start) at a third of the weekday level.
  const weekly = (weeks: number) => days(Array.from({ length: 7 * weeks }, (_, d) => (d % 7 >= 5 ? 10 : 30)));
  const y = weekly(4);
  const f = profileForecast(y, [24, 168], 7 * 24);
  const dayMean = (d: number) => f.slice(d * 24, d * 24 + 24).reduce((a, b) => a + b, 0) / 24;
  // The history ends on a weekend day (class 6), so the next two days are weekdays and days 5 and 6 are weekends.
  assert.ok(Math.abs(dayMean(0) - 30) < 1e-6, String(dayMean(0)));
  assert.ok(Math.abs(dayMean(5) - 10) < 1e-6, String(dayMean(5)));
  // Two weeks of random day levels: no weekday effect is read into them.
  let s = 11;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 10;
  const noisy = days(Array.from({ length: 14 }, () => 20 + rnd()));
  const g = profileForecast(noisy, [24, 168], 7 * 24);
  for (let h = 0; h < 24; h++) assert.ok(Math.abs(g[h]! - g[h + 24 * 3]!) < 1e-9);
});

test('without two cycles of history the last value is carried forward', () => {
  assert.deepEqual(profileForecast([3, 4, 5], [24], 3), [5, 5, 5]);
});
