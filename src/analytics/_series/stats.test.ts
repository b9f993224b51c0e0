import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, orderStatistic, robustScale, sortedAscending, typedSortedAt } from './_stats.js';

/** The definitions the selection replaced: a copy sorted with a comparator (stable: equal values keep order). */
const sorted = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const sortedScale = (values: readonly number[]) => {
  const m = sorted(values);
  return 1.4826 * sorted(values.map((v) => Math.abs(v - m)));
};

/** A small deterministic generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('median and robustScale equal the sorted-copy definitions to the bit, zeros of both signs and NaN included', () => {
  const r = rng(7);
  const pool = [0, -0, 1, -1, 2.5, -3, 1e-9, Number.NaN, Infinity, -Infinity];
  for (let t = 0; t < 20_000; t++) {
    const n = 1 + Math.floor(r() * (t % 4 ? 9 : 300));
    const values = Array.from({ length: n }, () =>
      r() < 0.6 ? pool[Math.floor(r() * (t % 3 ? 7 : pool.length))]! : r() * 10 - 5,
    );
    assert.ok(Object.is(median(values), sorted(values)), `median of ${JSON.stringify(values)}`);
    assert.ok(
      Object.is(robustScale(values), sortedScale(values)),
      `robustScale of ${JSON.stringify(values)}`,
    );
  }
});

test('the zero a median returns is the one a stable sort puts in the middle', () => {
  assert.ok(Object.is(median([-0, 0, 0]), 0));
  assert.ok(Object.is(median([0, -0, -0]), -0));
  assert.ok(Object.is(median([-1, -0, 5]), -0));
  assert.ok(Object.is(median([-0, -0]), -0));
  assert.ok(Number.isNaN(median([])));
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

test('orderStatistic, sortedAscending and typedSortedAt give, bit for bit, what a comparator sort (or a typed sort) of a copy gives', () => {
  let seed = 3;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const sets: number[][] = [
    [],
    [5],
    [3, 1, 2, 2, 1],
    [0, -0, 1, -1, -0, 0, 2],
    [-0, 0, -0],
    [1, Number.NaN, 0, -2, Number.NaN, 3],
    [Infinity, -Infinity, 0, 1e-300, -1e-300],
    Array.from({ length: 501 }, () => Math.round((rnd() - 0.5) * 20) / 4),
    Array.from({ length: 1000 }, () => Math.abs(rnd() - 0.5)),
  ];
  for (const values of sets) {
    const copy = [...values];
    const reference = [...values].sort((a, b) => a - b);
    assert.ok(Object.is(reference.length, sortedAscending(values).length));
    Array.from(sortedAscending(values)).forEach((v, i) =>
      assert.ok(Object.is(v, reference[i]), `${values}: ${i}`),
    );
    for (let k = -1; k <= values.length; k++)
      assert.ok(Object.is(orderStatistic(values, k), reference[k]), `${values}: k=${k}`);
    const typed = Float64Array.from(values).sort();
    for (let k = -1; k <= values.length; k++)
      assert.ok(Object.is(typedSortedAt(values, k), typed[k]), `${values}: typed k=${k}`);
    assert.deepEqual(values, copy, 'the input is left as it was');
  }
});
