import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEvents, warmUpPoints } from './_events.js';
import { rng } from './_test-rng.js';

const FIVE_MIN = 300_000;
const DAY = 288; // five-minute points in a day

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** A noisy five-minute series with a daily cycle (busy days, quiet nights). */
function seasonal(days: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: days * DAY }, (_, i) => {
    const hour = (i % DAY) / 12;
    const busy = hour >= 8 && hour < 20 ? 60 : 0;
    return 100 + busy + 20 * Math.sin((2 * Math.PI * i) / DAY) + 3 * gauss(r);
  });
}

function alarms(y: readonly number[], stepMs = FIVE_MIN): number[] {
  return detectEvents(y, { stepMs })
    .filter((p) => p.alarm)
    .map((p) => p.index);
}

test('a clean noisy seasonal series raises no alarm', () => {
  for (const seed of [1, 2, 3]) assert.deepEqual(alarms(seasonal(10, seed)), [], `seed ${seed}`);
});

test('a single spike raises exactly one alarm, at the spike', () => {
  const y = seasonal(8, 4);
  const at = 5 * DAY + 100;
  y[at] = y[at]! * 2;
  assert.deepEqual(alarms(y), [at]);
});

test('a run of raised points (a runaway hour) is one event: one alarm at its start', () => {
  const y = seasonal(8, 5);
  const at = 6 * DAY + 30;
  for (let i = at; i < at + 12; i++) y[i] = y[i]! * 3;
  assert.deepEqual(alarms(y), [at]);
});

test('a persistent level shift raises one alarm, then the detector re-baselines instead of alarming for hours', () => {
  const y = seasonal(10, 6);
  const at = 4 * DAY + 50;
  for (let i = at; i < y.length; i++) y[i] = y[i]! + 80;
  const found = alarms(y);
  assert.equal(found.length, 1, found.join(','));
  assert.ok(found[0]! >= at && found[0]! <= at + 3, `alarm at ${found[0]}, shift at ${at}`);
});

test('nothing is reported during warm-up (two days of five-minute data), when no season can be known', () => {
  assert.equal(warmUpPoints(FIVE_MIN), 2 * DAY);
  assert.equal(warmUpPoints(86_400_000), 14);
  const y = seasonal(6, 7);
  y[DAY] = y[DAY]! * 3;
  assert.deepEqual(alarms(y), []);
});

test('a sparse series (mostly zero, bursts at a steady rate) is judged by its own distribution: no alarm', () => {
  const r = rng(8);
  const y = Array.from({ length: 12 * DAY }, () => (r() < 0.06 ? 1 + 2 * r() : 0));
  assert.deepEqual(alarms(y), []);
});

test('a sparse series whose bursts come five times as often for a day raises one alarm in that stretch', () => {
  const r = rng(9);
  const from = 7 * DAY;
  const to = from + DAY;
  const y = Array.from({ length: 12 * DAY }, (_, i) =>
    r() < (i >= from && i < to ? 0.3 : 0.06) ? 1 + 2 * r() : 0,
  );
  const found = alarms(y);
  assert.equal(found.length, 1, found.join(','));
  assert.ok(found[0]! >= from && found[0]! < to, `alarm at ${found[0]}`);
});

test('a flat line raises nothing until it steps, then one alarm', () => {
  const y = new Array<number>(6 * DAY).fill(45);
  assert.deepEqual(alarms(y), []);
  for (let i = 4 * DAY; i < y.length; i++) y[i] = 60;
  assert.deepEqual(alarms(y), [4 * DAY]);
});

test('daily data with a weekly cycle: a spike after two weeks is one alarm, the weekends are not', () => {
  const r = rng(10);
  const y = Array.from({ length: 120 }, (_, i) => (i % 7 >= 5 ? 40 : 100) * (1 + 0.04 * gauss(r)));
  y[80] = y[80]! * 2.5;
  assert.deepEqual(alarms(y, 86_400_000), [80]);
});

test('each point is scored with data before it only: a prefix gives the same scores', () => {
  const y = seasonal(6, 11);
  y[4 * DAY] = 400;
  const full = detectEvents(y, { stepMs: FIVE_MIN });
  const cut = detectEvents(y.slice(0, 5 * DAY), { stepMs: FIVE_MIN });
  assert.deepEqual(full.slice(0, 5 * DAY), cut);
});

test('a random walk and a series that switches between two levels every few hours raise no alarm', () => {
  for (const seed of [1, 2]) {
    const r = rng(seed);
    let v = 100;
    const walk = Array.from({ length: 28 * DAY }, () => (v += gauss(r)));
    assert.deepEqual(alarms(walk), [], `walk, seed ${seed}`);
    let high = false;
    const switching = Array.from({ length: 28 * DAY }, () => {
      if (r() < 1 / 72) high = !high;
      return (high ? 80 : 20) + 2 * gauss(r);
    });
    assert.deepEqual(alarms(switching), [], `two levels, seed ${seed}`);
  }
});

test('spikes that recur stop raising alarms, while a much larger one and a sustained shift still do (ADR 0044)', () => {
  for (const seed of [1, 2, 3]) {
    const r = rng(seed);
    const y = Array.from(
      { length: 20 * DAY },
      (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / DAY) + 2 * gauss(r),
    );
    // One single-point spike a day at a random time, about the same size each time.
    const spikes: number[] = [];
    for (let d = 3; d < 17; d++) {
      const i = d * DAY + Math.floor(r() * DAY);
      y[i]! += 40 + 10 * r();
      spikes.push(i);
    }
    const big = 17 * DAY + 100;
    y[big]! += 150;
    const shift = 18 * DAY + 100;
    for (let i = shift; i < y.length; i++) y[i]! += 30;
    const found = alarms(y);
    // Before ADR 0044, 9 of the 14 spikes alarmed, and in two seeds of three the big one did not. With the
    // 16-hour refractory of ADR 0046 (a day before) one more may alarm: at most half of them.
    assert.ok(found.filter((i) => spikes.includes(i)).length <= 7, `seed ${seed}: ${found}`);
    assert.ok(found.includes(big), `seed ${seed}: the spike three times the usual size`);
    assert.ok(
      found.some((i) => i >= shift && i <= shift + 1),
      `seed ${seed}: the shift, at once or one step late`,
    );
  }
});

test('a spike in one-minute data is reported after hours, not after the two days of points finer data would need', () => {
  const MINUTE = 60_000;
  assert.equal(warmUpPoints(MINUTE), 576);
  const n = 3_000;
  const y = Array.from(
    { length: n },
    (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 13) / 6.5,
  );
  const at = 1_200;
  y[at] = y[at]! + 100;
  const ts = y.map((_, i) => i * MINUTE);
  const found = detectEvents(y, { stepMs: MINUTE, timestamps: ts })
    .filter((p) => p.alarm)
    .map((p) => p.index);
  assert.deepEqual(found, [at]);
});

test('two separate events eighteen hours apart raise two alarms, not one (ADR 0046)', () => {
  for (const seed of [21, 22, 23]) {
    const y = seasonal(8, seed);
    const first = 5 * DAY + 100;
    const second = first + 18 * 12;
    for (let i = first; i < first + 6; i++) y[i] = y[i]! * 2;
    for (let i = second; i < second + 6; i++) y[i] = y[i]! * 2;
    assert.deepEqual(alarms(y), [first, second], `seed ${seed}`);
  }
});
