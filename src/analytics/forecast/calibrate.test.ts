import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibratedWidens, SHRINK_POINTS } from './_calibrate.js';
import { WIDEN } from './_intervals.js';
import { forecastSeries } from './index.js';

/** Seeded standard normal draws (Box-Muller on a Park-Miller generator). */
function normals(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Backtest errors: `origins` rows of `H` horizons, each error drawn by `draw(origin, horizon)`. */
function errors(origins: number, H: number, draw: (j: number, h: number) => number): number[][] {
  return Array.from({ length: origins }, (_, j) => Array.from({ length: H }, (_, h) => draw(j, h)));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('a series whose errors vary more from origin to origin than within one gets a wider band than the global rule, one with steady noise a narrower one', () => {
  const z = normals(11);
  // Steady: the same normal noise at every origin, so the other origins' 10th-90th percentiles already hold ~80%.
  const steady = errors(8, 48, () => z());
  // Heavy: each origin has its own scale (a calm day, a stormy day), so a held-out origin often falls outside.
  const scales = [0.3, 2.5, 0.5, 1, 3, 0.4, 0.6, 2];
  const heavy = errors(8, 48, (j) => scales[j]! * z());
  const k = (e: number[][]) => mean(calibratedWidens(e));
  assert.ok(k(steady) < WIDEN, `steady ${k(steady)}`);
  assert.ok(k(heavy) > WIDEN + 0.1, `heavy ${k(heavy)}`);
});

test('the multiplier is calibrated per horizon: an origin-wide level error at later steps widens only those steps', () => {
  const z = normals(5);
  const shift = [1.5, -2, 0.5, 2.5, -1, -3, 0.2, 1];
  // Steps 1-12: independent noise. Steps 13-48: mostly each origin's own level error (a whole day off at once).
  const e = errors(8, 48, (j, h) => (h < 12 ? z() : shift[j]! + 0.2 * z()));
  const k = calibratedWidens(e);
  assert.equal(k.length, 48);
  assert.ok(mean(k.slice(24)) > mean(k.slice(0, 8)) + 0.1, `${mean(k.slice(0, 8))} vs ${mean(k.slice(24))}`);
});

test('a short backtest keeps close to the global rule, a long one follows its own errors', () => {
  // Every origin erred alike, so each held-out error sits on the others' median: its own multiplier would be 0.
  const alike = (origins: number, H: number) => errors(origins, H, () => 0.3);
  const short = calibratedWidens(alike(3, 2));
  const long = calibratedWidens(alike(8, 48));
  // 6 ratios against SHRINK_POINTS pseudo-observations of WIDEN; 384 ratios reach the lower bound 0.5.
  short.forEach((k) =>
    assert.ok(Math.abs(k - (SHRINK_POINTS * WIDEN) / (6 + SHRINK_POINTS)) < 1e-9, String(k)),
  );
  long.forEach((k) => assert.equal(k, 0.5));
  const z = normals(3);
  assert.deepEqual(calibratedWidens(errors(2, 5, () => z())), new Array(5).fill(WIDEN));
});

test('bands stay ordered, and have no width only where the history is constant', () => {
  const DAY = 86_400_000;
  const start = Date.UTC(2026, 0, 5);
  const z = normals(9);
  const noisy = Array.from({ length: 120 }, (_, i) => ({
    timestamp: start + i * DAY,
    value: 100 + 10 * Math.sin((2 * Math.PI * i) / 7) + 8 * z(),
  }));
  const flat = noisy.map((p) => ({ ...p, value: 42 }));
  for (const p of forecastSeries(noisy, { horizon: 28 }).points) {
    assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90);
    assert.ok(p.p90 > p.p10);
  }
  for (const p of forecastSeries(flat, { horizon: 28 }).points) {
    assert.equal(p.p10, 42);
    assert.equal(p.p90, 42);
  }
});
