import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastSeries, type SeriesPoint } from './index.js';
import { fitSes, shortForecast } from './_short.js';

const DAY = 86_400_000;
// 2026-01-05 is a Monday.
const MONDAY = Date.UTC(2026, 0, 5);
const isWeekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
}

/** Daily spend with quiet weekends (40% of a weekday), a level and multiplicative noise. */
function daily(days: number, level: number, noise: number, seed: number, start = MONDAY): SeriesPoint[] {
  const r = rng(seed);
  return Array.from({ length: days }, (_, i) => {
    const t = start + i * DAY;
    return { timestamp: t, value: level * (isWeekend(t) ? 0.4 : 1) * (1 + noise * r()) };
  });
}

test('one week of daily spend is enough to forecast quiet weekends', () => {
  const f = forecastSeries(daily(7, 100, 0.03, 3), { horizon: 7 });
  assert.equal(f.model, 'profile');
  assert.deepEqual(f.seasons, [7]);
  for (const p of f.points) {
    const expected = isWeekend(p.timestamp) ? 40 : 100;
    assert.ok(
      Math.abs(p.p50 - expected) < 8,
      `${new Date(p.timestamp).toISOString()}: ${p.p50} vs ${expected}`,
    );
  }
});

test('the smoothing weight follows the history: a random walk keeps its last value, noise around a level its mean', () => {
  const r = rng(11);
  const walk: number[] = [100];
  for (let i = 1; i < 20; i++) walk.push(walk[i - 1]! + 10 * r());
  const noisy = Array.from({ length: 20 }, () => 100 + 10 * r());
  const w = fitSes(walk);
  const q = fitSes(noisy);
  assert.ok(w.alpha >= 0.7, `walk alpha ${w.alpha}`);
  assert.ok(q.alpha <= 0.3, `noise alpha ${q.alpha}`);
  const mean = noisy.reduce((a, v) => a + v, 0) / noisy.length;
  assert.ok(Math.abs(shortForecast(noisy, 1, 1).points[0]!.p50 - mean) < 3);
  assert.ok(
    Math.abs(shortForecast(walk, 1, 1).points[0]!.p50 - walk[19]!) <
      0.3 * Math.abs(walk[19]! - walk[18]!) + 1,
  );
});

test('a history with one or two backtest origins blends the backtest choice with the short-history forecast', () => {
  const f = forecastSeries(daily(24, 100, 0.05, 5), { horizon: 7 });
  assert.ok(f.backtest, 'a backtest ran');
  assert.ok(f.backtest.origins < 3, String(f.backtest.origins));
  assert.equal(f.shortHistory?.blend, 0.5);
  const long = forecastSeries(daily(120, 100, 0.05, 5), { horizon: 7 });
  assert.equal(long.shortHistory, undefined);
});

test('80% bands from one to three weeks of history cover about 80% of what follows', () => {
  for (const days of [10, 21]) {
    let inside = 0;
    let total = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const all = daily(days + 14, 50 + seed, 0.15, seed * 7919, MONDAY + seed * DAY);
      const f = forecastSeries(all.slice(0, days), { horizon: 14 });
      f.points.forEach((p, i) => {
        const y = all[days + i]!.value;
        total++;
        if (y >= p.p10 && y <= p.p90) inside++;
      });
    }
    const coverage = inside / total;
    assert.ok(coverage > 0.68 && coverage < 0.95, `${days} days: ${coverage}`);
  }
});

test('spend forecast from a short, mostly idle history is never negative', () => {
  const values = [5, 0, 0, 9, 0, 0, 1, 0, 0, 4];
  const f = forecastSeries(
    values.map((value, i) => ({ timestamp: MONDAY + i * DAY, value })),
    { horizon: 10 },
  );
  for (const p of f.points) assert.ok(p.p10 >= 0 && p.p10 <= p.p50 && p.p50 <= p.p90, JSON.stringify(p));
  assert.ok(f.total.p10 >= 0 && f.total.p10 <= f.total.p50 && f.total.p50 <= f.total.p90);
});
