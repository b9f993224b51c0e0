import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from './errors.js';
import { monthWindow, parseDay, parseMonth, parseUtc, previousMonth, windowFrom } from './time.js';

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof TallyError && e.code === 'invalid_input' && message.test(e.message),
  );

test('invalid dates and periods are errors, not empty reports: months that do not exist are refused', () => {
  refused(() => monthWindow('2026-13'), /"2026-13" is not a month; give YYYY-MM .*01-12/);
  refused(() => monthWindow('2026-00'), /is not a month/);
  refused(() => monthWindow('2026-1'), /give YYYY-MM with a two-digit month/);
  refused(() => parseMonth('Feb 2026'), /is not a month/);
  refused(() => previousMonth('2026-13'), /is not a month/);
});

test('invalid dates and periods are errors, not empty reports: days that do not exist are refused, not rolled over', () => {
  refused(
    () => parseUtc('2026-02-30', 'at'),
    /^at: "2026-02-30" is not a date \(February 2026 has 28 days\); give YYYY-MM-DD/,
  );
  refused(() => parseUtc('2026-02-29T10:00:00Z', 'from'), /February 2026 has 28 days/);
  refused(() => parseUtc('2026-04-31', 'to'), /April 2026 has 30 days/);
  refused(() => parseUtc('2026-13-01'), /month 13 is not 01-12/);
  refused(() => parseUtc('2026-02-01T24:00:00Z'), /is not a time of day/);
  refused(() => parseUtc('yesterday-ish', 'from'), /^from: "yesterday-ish" is not a date; give YYYY-MM-DD/);
  refused(() => parseUtc('2026-1'), /is not a date/);
  refused(() => parseUtc('1767225600000'), /is not a date/);
  refused(() => parseDay('2026-02-01T00:00:00Z', 'start'), /is not a day; give YYYY-MM-DD/);
  refused(() => windowFrom({ from: '2026-02-30' }), /February 2026 has 28 days/);
});

test('valid dates, timestamps and months parse as UTC', () => {
  assert.equal(parseUtc('2024-02-29').toISOString(), '2024-02-29T00:00:00.000Z');
  assert.equal(parseUtc(' 2026-03-01 ').toISOString(), '2026-03-01T00:00:00.000Z');
  assert.equal(parseUtc('2026-03-01T10:20').toISOString(), '2026-03-01T10:20:00.000Z');
  assert.equal(parseUtc('2026-03-01 10:20:30.25').toISOString(), '2026-03-01T10:20:30.250Z');
  assert.equal(parseUtc('2026-03-01T10:20:30.123456Z').toISOString(), '2026-03-01T10:20:30.123Z');
  assert.equal(parseUtc('2026-03-01T10:00:00+02:00').toISOString(), '2026-03-01T08:00:00.000Z');
  assert.equal(parseUtc('2026-03-01T10:00:00-0130').toISOString(), '2026-03-01T11:30:00.000Z');
  assert.equal(parseDay('2026-02-28'), '2026-02-28');
  assert.deepEqual(monthWindow('2026-12'), {
    from: new Date('2026-12-01T00:00:00Z'),
    to: new Date('2027-01-01T00:00:00Z'),
  });
  assert.equal(previousMonth('2026-01'), '2025-12');
});
