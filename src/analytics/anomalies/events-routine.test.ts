import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEvents } from './_events.js';
import { typicalMove } from './_resolution.js';
import { rng } from './_test-rng.js';

// ADR 0046: a quantised metric's one-step changes and a nightly job are the series' routine, not events.
const FIVE_MIN = 300_000;
const DAY = 288; // five-minute points in a day
const T0 = Date.UTC(2014, 1, 14);

function alarms(y: readonly number[]): number[] {
  const timestamps = y.map((_, i) => T0 + i * FIVE_MIN);
  return detectEvents(y, { stepMs: FIVE_MIN, timestamps })
    .filter((p) => p.alarm)
    .map((p) => p.index);
}

/** A CPU metric read on a grid of 0.066 (with 0.002 jitter): mostly two steps up, now and then one step down
 *  or up for a few points, as an idle instance's utilisation reads. */
function quantised(days: number, seed: number): number[] {
  const r = rng(seed);
  const y: number[] = [];
  let step = 2;
  let jitter = 0;
  for (let i = 0; i < days * DAY; i++) {
    if (r() < 0.3) step = r() < 0.6 ? 2 : r() < 0.8 ? 1 : 3;
    if (r() < 0.05) jitter = r() < 0.5 ? 0.002 : 0;
    y.push(+(0.066 * step + jitter).toFixed(3));
  }
  return y;
}

test('the typical move of a discrete series is one step of its grid; continuous or sparse values give none', () => {
  const grid = typicalMove(quantised(3, 1));
  assert.ok(grid > 0.06 && grid < 0.07, `grid step ${grid}`);
  const r = rng(2);
  assert.equal(typicalMove(Array.from({ length: 500 }, () => r())), 0, 'continuous values');
  const sparse = Array.from({ length: 500 }, (_, i) => (i % 40 === 0 ? 20 : 0));
  assert.equal(typicalMove(sparse), 0, 'the moves to and from rare bursts are not a grid step');
});

test('one-step changes of a quantised metric raise no alarm, while a jump of many steps still does', () => {
  for (const seed of [3, 4, 5]) {
    const y = quantised(8, seed);
    assert.deepEqual(alarms(y), [], `seed ${seed}: one-step changes`);
    const at = 5 * DAY + 140;
    y[at] = 2.3;
    assert.deepEqual(alarms(y), [at], `seed ${seed}: a jump of 30 steps`);
  }
});

/** Five-minute noise around 50 with a nightly job: 40 minutes at 200 from about 03:00, starting up to 35 minutes
 *  late. */
function withNightlyJob(days: number, seed: number): number[] {
  const r = rng(seed);
  const y = Array.from({ length: days * DAY }, () => 50 + 2 * (r() + r() + r() - 1.5));
  for (let d = 0; d < days; d++) {
    const start = d * DAY + 36 + Math.floor(r() * 8);
    for (let i = start; i < start + 8; i++) y[i] = 200 + 5 * r();
  }
  return y;
}

test('a nightly job that wanders by half an hour is routine after its first four nights; a larger spike at noon is still an event', () => {
  for (const seed of [6, 7, 8]) {
    const y = withNightlyJob(12, seed);
    const night = alarms(y);
    assert.ok(
      night.every((i) => i < 5 * DAY),
      `seed ${seed}: alarms after the job had recurred: ${night.filter((i) => i >= 5 * DAY).join(',')}`,
    );
    // The job's own size sets the series' tail (ADR 0039): a spike well above it, at another time, is news.
    const noon = 9 * DAY + 144;
    y[noon] = 500;
    assert.ok(alarms(y).includes(noon), `seed ${seed}: the noon spike`);
  }
});

test('a drop at a sharp daily edge is still an event: the edge is the profile, not a routine excursion', () => {
  // Low (20) until 09:00, high (80) until 18:00, every day; on day 8 the high half stays low.
  const r = rng(9);
  const y = Array.from({ length: 10 * DAY }, (_, i) => {
    const k = i % DAY;
    const high = k >= 108 && k < 216 && Math.floor(i / DAY) !== 8;
    return (high ? 80 : 20) + r();
  });
  const found = alarms(y);
  assert.ok(
    found.some((i) => i >= 8 * DAY + 108 && i < 8 * DAY + 120),
    `alarms: ${found.join(',')}`,
  );
});
