import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeUsageEvent, USAGE_COLUMNS } from '../usage-event.js';
import { copyChunks, copyLine, isoMicros, isoMicrosFast } from './_copy-text.js';

test('the per-minute timestamp formatter writes the same text as the Date-based one for any instant', () => {
  const instants = [0, -1, -0.0004, 59_999.9995, 60_000, Date.UTC(2026, 11, 31, 23, 59, 59, 999) + 0.9996];
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    // Sorted runs (a flush) and jumps across minutes, days and years, with sub-millisecond parts.
    instants.push(Date.UTC(2026, 0, 1) + (seed % 400_000_000_000) / (i % 3 ? 1 : 7));
  }
  for (const ms of instants) assert.equal(isoMicrosFast(ms), isoMicros(ms), `at ${ms}`);
});

test('a COPY line has one field per column, escapes tabs and newlines, and writes nulls as \\N', () => {
  const e = makeUsageEvent({ id: 'x', startTime: 1.5, model: 'm', team: 'a\tb\nc\\', endUser: null });
  const fields = copyLine(e).slice(0, -1).split('\t');
  assert.equal(fields.length, USAGE_COLUMNS.length);
  const at = (name: string) => fields[USAGE_COLUMNS.findIndex((c) => c.name === name)];
  assert.equal(at('team'), 'a\\tb\\nc\\\\');
  assert.equal(at('end_user'), '\\N');
  assert.equal(at('start_time'), '1970-01-01T00:00:00.001500Z');
});

test('COPY chunks split only between lines and together hold every event', () => {
  const events = Array.from({ length: 300 }, (_, i) =>
    makeUsageEvent({ id: `e${i}`, startTime: i, model: 'm' }),
  );
  const chunks = [...copyChunks(events, 1000)];
  assert.ok(chunks.length > 10);
  for (const c of chunks) assert.ok(c.endsWith('\n'));
  assert.equal(chunks.join(''), events.map(copyLine).join(''));
});
