import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeVolatility, VOL_RANGE } from './_volatility.js';
import { forecastSeries } from './index.js';

/** Seeded standard normal draws (Box-Muller on a Park-Miller generator). */
function normals(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 5);

/** 28 days of hourly demand with a daily curve; the noise's SD is `sd(i)` at point i. */
function hourly(sd: (i: number) => number, seed = 7) {
  const z = normals(seed);
  return Array.from({ length: 28 * 24 }, (_, i) => ({
    timestamp: start + i * HOUR,
    value: 100 + 40 * Math.sin((2 * Math.PI * i) / 24) + sd(i) * z(),
  }));
}

/** Mean p90 - p10 over the horizon. */
function width(points: ReturnType<typeof hourly>): number {
  const f = forecastSeries(points, { horizon: 48 });
  return f.points.reduce((a, p) => a + p.p90 - p.p10, 0) / f.points.length;
}

test('a calm last five days narrow the band and a stormy last five days widen it, against the same series with steady noise', () => {
  const n = 28 * 24;
  const steady = width(hourly(() => 6));
  const calm = width(hourly((i) => (i >= n - 120 ? 2 : 6)));
  const stormy = width(hourly((i) => (i >= n - 120 ? 18 : 6)));
  assert.ok(calm < 0.6 * steady, `calm ${calm} vs steady ${steady}`);
  assert.ok(stormy > 1.8 * steady, `stormy ${stormy} vs steady ${steady}`);
});

test('volatility is relative to the median of the origins and the end, bounded, and 1 everywhere when it cannot be measured', () => {
  const z = normals(3);
  const season = [24];
  const y = Array.from(
    { length: 400 },
    (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + (i >= 352 ? 8 : 1) * z(),
  );
  const v = relativeVolatility(y, [200, 250, 300], season, false);
  v.origins.forEach((r) => assert.ok(r > 0.7 && r < 1.4, String(r)));
  assert.ok(v.end > 3, String(v.end));
  assert.ok(v.end <= VOL_RANGE[1]);
  // A history that repeats exactly has no seasonal differences to measure: bands are left as they are.
  const flat = Array.from({ length: 400 }, (_, i) => Math.round(50 + 10 * Math.sin((2 * Math.PI * i) / 24)));
  assert.deepEqual(relativeVolatility(flat, [200, 250, 300], season, false), { origins: [1, 1, 1], end: 1 });
});

test('a weekend at half is the weekly pattern, not volatility: a history ending on a weekend keeps its band', () => {
  const z = normals(21);
  // 4 weeks of hours from a Monday; Saturdays and Sundays at half; the history ends on a Sunday night.
  const y = Array.from({ length: 28 * 24 }, (_, i) => {
    const weekend = Math.floor(i / 24) % 7 >= 5;
    return (weekend ? 50 : 100) * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 24)) * Math.exp(0.1 * z());
  });
  const origins = Array.from({ length: 8 }, (_, j) => y.length - 48 - 48 * j);
  const v = relativeVolatility(y, origins, [24, 168], true);
  assert.ok(v.end > 0.8 && v.end < 1.25, String(v.end));
  // Without a whole week before every origin the weekly pattern cannot be told from noise: no scaling.
  assert.deepEqual(relativeVolatility(y.slice(0, 12 * 24), [150, 200, 240], [24, 168], true), {
    origins: [1, 1, 1],
    end: 1,
  });
});
