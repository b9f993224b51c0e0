import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoPeriod } from './index.js';

const at = (d: string) => Date.parse(`${d}T00:00:00Z`);

test('the demo reports on the latest month that has ended, complete when the data covers all of it', () => {
  assert.deepEqual(demoPeriod(at('2026-08-30'), at('2026-11-28')), { period: '2026-10', complete: true });
  // An end on the 1st closes the month before it.
  assert.deepEqual(demoPeriod(at('2026-08-01'), at('2026-11-01')), { period: '2026-10', complete: true });
  // Data starting mid-month: that month has ended but is only partly covered.
  assert.deepEqual(demoPeriod(at('2026-10-30'), at('2026-11-02')), { period: '2026-10', complete: false });
});

test('a short demo inside one month reports on that month, partly covered', () => {
  assert.deepEqual(demoPeriod(at('2026-10-13'), at('2026-10-15')), { period: '2026-10', complete: false });
  assert.deepEqual(demoPeriod(at('2026-12-30'), at('2027-01-02')), { period: '2026-12', complete: false });
});
