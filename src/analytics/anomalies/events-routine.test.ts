import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEvents } from './_events.js';
import { typicalMove } from './_resolution.js';
import { rng } from './_test-rng.js';

// ADR 0046: a quantised metric's one-step changes are the series' resolution, not events.
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
