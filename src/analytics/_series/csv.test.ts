import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeriesCsv } from './_csv.js';

/** A five-minute measurement stream with one reading sent twice (66 and 62 at 05:10), as NAB's speed_t4013 has. */
const resent = [
  'timestamp,value',
  '2015-09-10 05:00:00,60',
  '2015-09-10 05:05:00,61',
  '2015-09-10 05:10:00,66',
  '2015-09-10 05:10:00,62',
  '2015-09-10 05:15:00,59',
].join('\n');

/** Spend per model in one file without a series id: every day listed once per model. */
const parts = [
  'timestamp,value',
  '2026-01-01,10',
  '2026-01-01,5',
  '2026-01-02,12',
  '2026-01-02,4',
  '2026-01-03,11',
  '2026-01-03,6',
].join('\n');

test('a reading sent twice in a measurement stream is averaged, not summed, by default', () => {
  const [s] = parseSeriesCsv(resent);
  assert.deepEqual(s!.values, [60, 61, 64, 59]);
  assert.equal(s!.timestamps.length, 4);
});

test('a file whose timestamps mostly repeat is read as parts of one total by default', () => {
  const [s] = parseSeriesCsv(parts);
  assert.deepEqual(s!.values, [15, 16, 17]);
});

test('an explicit rule overrides the default: sum, mean or the last row in the file', () => {
  assert.deepEqual(parseSeriesCsv(resent, 'f', 'sum')[0]!.values, [60, 61, 128, 59]);
  assert.deepEqual(parseSeriesCsv(resent, 'f', 'last')[0]!.values, [60, 61, 62, 59]);
  assert.deepEqual(parseSeriesCsv(parts, 'f', 'mean')[0]!.values, [7.5, 8, 8.5]);
});

test('the rule applies per series of a series_id file', () => {
  const text = [
    'series_id,timestamp,value',
    'a,2026-01-01,1',
    'a,2026-01-01,3',
    'a,2026-01-02,2',
    'a,2026-01-03,2',
  ]
    .concat(['b,2026-01-01,1', 'b,2026-01-01,3', 'b,2026-01-02,2', 'b,2026-01-02,2'])
    .join('\n');
  const byId = Object.fromEntries(parseSeriesCsv(text).map((s) => [s.id, s.values]));
  assert.deepEqual(byId['a'], [2, 2, 2]);
  assert.deepEqual(byId['b'], [4, 4]);
});
