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

test('a series file is read the same whatever its size: header rules, index timestamps, blanks, and errors with their record number', () => {
  const many = ['series_id,timestamp,value'];
  for (let s = 0; s < 3; s++) for (let i = 0; i < 500; i++) many.push(`s${s},${1 + i},${s * 10 + (i % 7)}`);
  const series = parseSeriesCsv(many.join('\n'));
  assert.deepEqual(
    series.map((s) => [s.id, s.values.length, s.stepMs, s.timeStyle?.kind]),
    [0, 1, 2].map((s) => [`s${s}`, 500, 3_600_000, 'index']),
  );
  const trimmed = parseSeriesCsv(' ds , y \n2026-01-01, 3\n\n2026-01-02 ,\n2026-01-03 , 5 \n');
  assert.deepEqual(trimmed[0]!.values, [3, 5]);
  assert.equal(trimmed[0]!.timeStyle?.kind, 'date');
  const error = (text: string) => {
    try {
      parseSeriesCsv(text, 'f.csv');
    } catch (err) {
      return `${(err as Error).message} ${JSON.stringify((err as { details?: unknown }).details)}`;
    }
    return 'no error';
  };
  assert.equal(
    error('timestamp,value\n2026-01-01,1\n\n2026-01-02,2\nbogus,3\n'),
    'f.csv:4: "bogus" is not a timestamp {"file":"f.csv","line":4}',
  );
  assert.match(error(''), /expected columns .* got {2}\{"file":"f.csv"\}$/);
  assert.match(error('timestamp,value\n2026-01-01,\n'), /no numeric rows/);
});
