import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choleskySolve } from './_linalg.js';
import { linearForecast } from './_linear.js';
import { seasonalNaive } from './_models.js';
import { forecastSeries } from './index.js';

const HOUR = 3_600_000;
/** Monday 2026-01-05 00:00 UTC. */
const MONDAY = Date.UTC(2026, 0, 5);

/** A seeded uniform generator in [0, 1) (a linear congruential generator), so the tests are repeatable. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A standard normal draw (Box-Muller) from a uniform generator. */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

test('the Cholesky solver recovers a known linear map from its normal equations, for every target at once', () => {
  const u = uniform(7);
  const n = 60;
  const p = 5;
  const k = 3;
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => u() * 2 - 1));
  const W = Array.from({ length: p }, (_, i) => Array.from({ length: k }, (_, c) => (i + 1) * (c - 1) + 0.5));
  const Y = X.map((row) =>
    Array.from({ length: k }, (_, c) => row.reduce((a, v, i) => a + v * W[i]![c]!, 0)),
  );
  const A = new Float64Array(p * p);
  const B = new Float64Array(p * k);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) A[i * p + j] = A[i * p + j]! + X[r]![i]! * X[r]![j]!;
      for (let c = 0; c < k; c++) B[i * k + c] = B[i * k + c]! + X[r]![i]! * Y[r]![c]!;
    }
  const sol = choleskySolve(A, B, p, k)!;
  for (let i = 0; i < p; i++)
    for (let c = 0; c < k; c++) assert.ok(Math.abs(sol[i * k + c]! - W[i]![c]!) < 1e-9, `w[${i}][${c}]`);
  // A matrix that is not positive definite has no Cholesky factor.
  assert.equal(choleskySolve(new Float64Array([1, 2, 2, 1]), new Float64Array([1, 1]), 2, 1), null);
});

/**
 * Hourly spend with a daily shape whose level shifts and stays (an app launched, a tenant moved, now and then,
 * at any hour, every 2.5 days on average), with noise. Seasonal naive repeats yesterday, so for a day after each shift part of its forecast is
 * at the old level; a map from the last two days that starts at the last value follows the new level.
 */
function wandering(seed: number, n: number): number[] {
  const u = uniform(seed);
  let level = 100;
  return Array.from({ length: n }, (_, t) => {
    if (u() < 1 / 60) level += 15 * normal(u);
    return level + 20 * Math.sin((2 * Math.PI * t) / 24) + 8 * Math.cos((4 * Math.PI * t) / 24) + normal(u);
  });
}

test('the linear candidate forecasts a level-shifting daily-seasonal series better than seasonal naive', () => {
  let linear = 0;
  let naive = 0;
  for (const seed of [1, 2, 3, 4]) {
    const y = wandering(seed, 800);
    for (let end = 400; end + 24 <= y.length; end += 12) {
      const hist = y.slice(0, end);
      const f = linearForecast(hist, [24], 24, 24)!;
      assert.ok(f, 'over two weeks of hours are enough history');
      const sn = seasonalNaive(hist, 24, 24);
      for (let h = 0; h < 24; h++) {
        linear += Math.abs(y[end + h]! - f[h]!);
        naive += Math.abs(y[end + h]! - sn[h]!);
      }
    }
  }
  // 0.86 of seasonal naive's error with these seeds.
  assert.ok(linear < 0.9 * naive, `linear MAE ${linear} against seasonal naive ${naive}`);
});

test('a short history skips the linear candidate, in the candidate and in the product backtest', () => {
  const y = wandering(5, 200);
  // A window of two days, 48 steps ahead and six days of training windows need 2 + 2 + 6 days.
  assert.equal(linearForecast(y.slice(0, 9 * 24), [24], 24, 48), null);
  assert.ok(linearForecast(wandering(5, 11 * 24), [24], 24, 48));
  assert.equal(linearForecast(y, [], 24, 48), null, 'no season, no window');
  const pts = (v: readonly number[]) => v.map((value, i) => ({ timestamp: MONDAY + i * HOUR, value }));
  const has = (v: readonly number[]) =>
    forecastSeries(pts(v), { horizon: 48, linear: true }).backtest!.candidates.some(
      (c) => c.model === 'linear',
    );
  assert.equal(has(y), false);
  assert.equal(has(wandering(5, 35 * 24)), true);
});

test('the linear candidate stays out of the backtest unless asked for', () => {
  const pts = wandering(5, 35 * 24).map((value, i) => ({ timestamp: MONDAY + i * HOUR, value }));
  const f = forecastSeries(pts, { horizon: 48 });
  assert.ok(!f.backtest!.candidates.some((c) => c.model === 'linear'));
});

test('the product picks the linear candidate on evidence where the level wanders, and names it in the backtest', () => {
  const y = wandering(11, 35 * 24);
  const f = forecastSeries(
    y.map((value, i) => ({ timestamp: MONDAY + i * HOUR, value })),
    { horizon: 24, linear: true },
  );
  const bt = f.backtest!;
  const score = (m: string) => bt.candidates.find((c) => c.model === m)!.mase;
  assert.ok(score('linear') < score('seasonal-naive'), `${score('linear')} vs ${score('seasonal-naive')}`);
  assert.ok(bt.members.includes('linear'), `members ${bt.members.join('+')}`);
  for (const p of f.points) assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90);
});
