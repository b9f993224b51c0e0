import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeriesCsv } from './_csv.js';
import { formatTime, timeStyleOf } from './_time-style.js';

const HOUR = 3_600_000;

test('a timestamp read from a file is written back exactly as the file wrote it, for each common style', () => {
  for (const text of [
    '2014-02-14 14:30:00', // NAB
    '2014-02-14T14:30:00',
    '2014-02-14 14:30',
    '2014-02-14 14:30:00.000000', // NAB's label files
    '2014-02-14 14:30:00.250',
    '2026-03-01', // Prophet's ds
    '1000', // an index (Yahoo S5)
    '1704067200', // epoch seconds
    '1704067200123', // epoch milliseconds
    '2026-03-01T05:00:00.000Z',
  ]) {
    const [s] = parseSeriesCsv(`timestamp,value\n${text},1\n`);
    assert.equal(formatTime(s!.timestamps[0]!, HOUR, s!.timeStyle), text, text);
  }
});

test('future timestamps of a forecast follow the style of the file', () => {
  const nab = timeStyleOf('2014-02-14 23:55:00');
  assert.equal(formatTime(Date.UTC(2014, 1, 15, 0, 0), 300_000, nab), '2014-02-15 00:00:00');
  assert.equal(formatTime(1421 * 1000, 1000, timeStyleOf('1420')), '1421');
  assert.equal(formatTime(Date.UTC(2026, 2, 2), 86_400_000, timeStyleOf('2026-03-01')), '2026-03-02');
});

test('a zoned or unknown style, or a series from the store, keeps ISO 8601 in UTC and dates for whole days', () => {
  assert.deepEqual(timeStyleOf('2026-03-01T05:00:00+02:00'), { kind: 'iso' });
  assert.equal(
    formatTime(Date.UTC(2026, 2, 1, 5), HOUR, timeStyleOf('2026-03-01T05:00:00+02:00')),
    '2026-03-01T05:00:00.000Z',
  );
  assert.equal(formatTime(Date.UTC(2026, 2, 1), 86_400_000), '2026-03-01');
  assert.equal(formatTime(Date.UTC(2026, 2, 1, 5), HOUR), '2026-03-01T05:00:00.000Z');
});
