import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEvents, warmUpEnd } from './_events.js';
import { rng } from './_test-rng.js';

// Behaviours the real NAB series asked for (ADR 0039): gappy timestamps and a noisy start.
const FIVE_MIN = 300_000;
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());

/** Five-minute points from 06:00 to 22:00 only (192 a day), as a road sensor that sleeps at night reports. */
function daytimeOnly(days: number): number[] {
  const ts: number[] = [];
  for (let d = 0; d < days; d++)
    for (let k = 0; k < 192; k++) ts.push(Date.UTC(2015, 8, 1 + d) + 6 * HOUR + k * FIVE_MIN);
  return ts;
}

function alarmsOf(y: readonly number[], timestamps?: readonly number[]): number[] {
  return detectEvents(y, { stepMs: FIVE_MIN, ...(timestamps ? { timestamps } : {}) })
    .filter((p) => p.alarm)
    .map((p) => p.index);
}

test('the warm-up is two days of time: a series with nightly gaps may alarm on its third day', () => {
  const ts = daytimeOnly(6);
  // Two days of points would be three days of this series; two days of time end at the third morning.
  assert.equal(warmUpEnd(FIVE_MIN), 576);
  assert.equal(warmUpEnd(FIVE_MIN, ts), 2 * 192);
  const regular = Array.from({ length: 1000 }, (_, i) => i * FIVE_MIN);
  assert.equal(warmUpEnd(FIVE_MIN, regular), 576);
  const r = rng(3);
  const y = ts.map(() => 100 + 3 * gauss(r));
  const at = 2 * 192 + 96; // 14:00 on the third day: point 480, before 576 points
  y[at] = 300;
  assert.deepEqual(alarmsOf(y, ts), [at]);
  assert.deepEqual(alarmsOf(y), [], 'without timestamps the points-based warm-up still applies');
});

test('the warm-up end depends on the first timestamps only: appending data never moves it', () => {
  const ts = daytimeOnly(6);
  assert.equal(warmUpEnd(FIVE_MIN, ts.slice(0, 400)), warmUpEnd(FIVE_MIN, ts));
  assert.equal(warmUpEnd(DAY_MS, [0, DAY_MS]), 14);
});

test('a start-up transient, scored before any noise scale exists, does not set the tail and silence the series', () => {
  // A sensor that reads 0, then overshoots, then settles: no residuals yet, so the old scores were ~1e11 and
  // the tail quantile kept every later alarm out (the realTraffic series showed it).
  const startUp = [0, 0, 0, 500, 520, 480, 510, 90, 95, 105, 98, 102];
  for (const seed of [5, 6, 7]) {
    const r = rng(seed);
    const y = Array.from({ length: 5 * 288 }, (_, i) => startUp[i] ?? 100 + 3 * gauss(r));
    const at = 3 * 288 + 40;
    y[at] = 160;
    assert.deepEqual(alarmsOf(y), [at], `seed ${seed}`);
    const scores = detectEvents(y, { stepMs: FIVE_MIN });
    assert.ok(
      scores.slice(0, 12).every((p) => p.score === 0),
      'no score before the scale has a level window',
    );
  }
});

test('spikes that recur are judged against the series own past events: not every alike one is reported, a larger one is', () => {
  // Hourly data whose one-hour spikes come every day or two, at no fixed hour (as NAB's ad-exchange prices do).
  const HOUR_MS = 3_600_000;
  const r = rng(9);
  const y = Array.from({ length: 24 * 20 }, () => 100 + 3 * gauss(r));
  const spikes = [109, 146, 171, 213, 247, 290];
  for (const i of spikes) y[i] = 160;
  const big = 373;
  y[big] = 400;
  const found = detectEvents(y, { stepMs: HOUR_MS })
    .filter((p) => p.alarm)
    .map((p) => p.index);
  assert.deepEqual(found.slice(0, 2), spikes.slice(0, 2), 'the first ones are news');
  const alike = found.filter((i) => spikes.includes(i));
  assert.ok(alike.length <= spikes.length / 2, `alike spikes reported: ${alike.join(',')}`);
  assert.ok(found.includes(big), 'a spike far above the past ones is still an event');
});
