import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buckets, presetWindow, previousWindow, weekStart } from './_dates.js';

test('this month so far is compared with the same days of last month', () => {
  assert.deepEqual(previousWindow({ from: '2026-12-01', to: '2026-12-03' }), {
    from: '2026-11-01',
    to: '2026-11-03',
  });
  assert.deepEqual(previousWindow({ from: '2026-11-01', to: '2026-12-01' }), {
    from: '2026-10-01',
    to: '2026-11-01',
  });
});

test('a rolling window is compared with the same number of days just before it', () => {
  assert.deepEqual(previousWindow(presetWindow('last-30', '2026-12-02')), {
    from: '2026-10-04',
    to: '2026-11-03',
  });
});

test('weeks start on Monday, like the store buckets them', () => {
  assert.equal(weekStart('2026-11-01'), '2026-10-26');
  assert.equal(weekStart('2026-11-02'), '2026-11-02');
  assert.deepEqual(buckets({ from: '2026-11-01', to: '2026-11-15' }, 'week'), [
    '2026-10-26',
    '2026-11-02',
    '2026-11-09',
  ]);
});

test('month buckets start on the first of every month the window touches', () => {
  assert.deepEqual(buckets({ from: '2026-09-04', to: '2026-12-03' }, 'month'), [
    '2026-09-01',
    '2026-10-01',
    '2026-11-01',
    '2026-12-01',
  ]);
});
