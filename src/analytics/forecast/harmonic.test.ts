import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harmonicForecast } from './_harmonic.js';

const HOUR = 3_600_000;
/** Steps since the epoch of 2026-03-02 00:00 UTC, a Monday. */
const MONDAY = Date.UTC(2026, 2, 2) / HOUR;

/** Hourly spend with a daily curve and quiet weekends (a multiplicative shape), at absolute hour index `i`. */
function clean(i: number): number {
  const hour = i % 24;
  const weekday = Math.floor((i - MONDAY) / 24) % 7; // 0 = Monday
  const day = 1 + 0.5 * Math.sin((2 * Math.PI * (hour - 6)) / 24);
  return 100 * day * (weekday >= 5 ? 0.5 : 1);
}

/** A deterministic wiggle in [-1, 1] (no Math.random: tests must repeat). */
const wiggle = (i: number) => Math.sin(i * 12.9898) * 0.999;

test('the harmonic candidate learns a daily and a weekly cycle together, and an outage does not bend it', () => {
  const n = 28 * 24;
  const y = Array.from({ length: n }, (_, i) => clean(MONDAY + i) * (1 + 0.03 * wiggle(i)));
  // A ten-hour outage on a Thursday ten days before the end: values at a tenth of normal.
  for (let i = n - 240; i < n - 230; i++) y[i] = y[i]! * 0.1;
  const H = 7 * 24;
  const f = harmonicForecast({ y, phase0: MONDAY, seasons: [24, 168], perDay: 24 }, H);
  let err = 0;
  for (let h = 0; h < H; h++) err += Math.abs(f[h]! - clean(MONDAY + n + h)) / clean(MONDAY + n + h);
  // Noise is 3% a point; a least-squares fit dragged by the outage, or one without the weekly terms (weekends at
  // half), would be off by far more than 3% on average.
  assert.ok(err / H < 0.03, `mean absolute percentage error ${((100 * err) / H).toFixed(2)}%`);
  const weekend = f.slice(5 * 24, 7 * 24).reduce((a, b) => a + b, 0);
  const weekdays = f.slice(0, 2 * 24).reduce((a, b) => a + b, 0);
  assert.ok(weekend < 0.6 * weekdays, `weekend ${weekend} vs weekdays ${weekdays}`);
});

test('the harmonic candidate works from seven days of hourly history, without a weekly cycle or a slope', () => {
  const n = 7 * 24;
  const y = Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 24) + 2 * wiggle(i));
  const f = harmonicForecast({ y, phase0: 0, seasons: [24], perDay: 24 }, 48);
  assert.equal(f.length, 48);
  for (let h = 0; h < 48; h++) {
    const truth = 50 + 20 * Math.sin((2 * Math.PI * (n + h)) / 24);
    assert.ok(Math.abs(f[h]! - truth) < 4, `step ${h + 1}: ${f[h]} vs ${truth}`);
  }
});

test('the harmonic candidate carries a recent level shift forward and keeps a flat series flat', () => {
  // Daily data, a weekly cycle, and the last days 20% above the curve: the forecast starts near the new level.
  const n = 70;
  const base = (i: number) => 100 + 10 * Math.cos((2 * Math.PI * i) / 7);
  const y = Array.from({ length: n }, (_, i) => base(i) * (i >= n - 4 ? 1.2 : 1));
  const f = harmonicForecast({ y, phase0: 0, seasons: [7], perDay: 1 }, 7);
  assert.ok(f[0]! > 1.1 * base(n), `${f[0]} vs ${base(n)}`);
  const flat = harmonicForecast({ y: new Array<number>(60).fill(45), phase0: 0, seasons: [7], perDay: 1 }, 5);
  for (const v of flat) assert.ok(Math.abs(v - 45) < 1e-6, String(v));
});
