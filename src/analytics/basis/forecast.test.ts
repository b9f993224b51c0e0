import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUsd, type Nanos } from '../../core/index.js';
import { committedSchedule, forecastSplit, type SplitHistory } from './index.js';

const DAY = 86_400_000;
const at = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** Daily maps over [from, to) from a function of the day (USD). */
function days(from: string, to: string, usd: (day: number) => number): Map<number, Nanos> {
  const m = new Map<number, Nanos>();
  for (let d = at(from); d < at(to); d += DAY) m.set(d, parseUsd(usd(d).toFixed(9)));
  return m;
}
const dim = (d: number) => {
  const t = new Date(d);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
};

test('a monthly commitment spread over the days costs the same in a 31-day month as in a 30-day one', () => {
  // $3,000 a month amortized over November's 30 days, plus $10 a day of hourly capacity and $5 of tokens.
  const commitment = days('2026-11-01', '2026-12-01', (d) => 3000 / dim(d));
  const committed = days('2026-11-01', '2026-12-01', (d) => 3000 / dim(d) + 10);
  const total = days('2026-11-01', '2026-12-01', (d) => 3000 / dim(d) + 15);
  const h: SplitHistory = {
    total,
    committed,
    commitment,
    historyFrom: at('2026-11-01'),
    today: at('2026-12-01'),
    exportEnd: at('2026-12-01'),
  };
  const s = committedSchedule(h);
  assert.ok(Math.abs(s.perMonth - 3000) < 1e-6, JSON.stringify(s));
  assert.ok(Math.abs(s.perDay - 10) < 1e-6);
  const f = forecastSplit(h, at('2026-12-01'), 31);
  // December: the commitment once, 31 days of capacity, 31 days of tokens.
  assert.ok(Math.abs(f.committedUsd - (3000 + 31 * 10)) < 1e-6, String(f.committedUsd));
  assert.ok(Math.abs(f.total.p50 - (3000 + 31 * 15)) < 1, String(f.total.p50));
  assert.ok(f.total.p10 <= f.total.p50 && f.total.p50 <= f.total.p90);
});

test('a purchase billed on the first of the month recurs on the next first, not every day', () => {
  const purchase = (d: number) => (new Date(d).getUTCDate() === 1 ? 1200 : 0);
  const committed = days('2026-10-01', '2026-12-01', (d) => purchase(d) + 2);
  const h: SplitHistory = {
    total: days('2026-10-01', '2026-12-01', (d) => purchase(d) + 2 + 1),
    committed,
    commitment: days('2026-10-01', '2026-12-01', purchase),
    historyFrom: at('2026-10-01'),
    today: at('2026-12-01'),
    exportEnd: at('2026-12-01'),
  };
  const f = forecastSplit(h, at('2026-12-01'), 31);
  assert.ok(Math.abs(f.committedUsd - (1200 + 31 * 2)) < 1e-6, String(f.committedUsd));
  assert.equal(f.points[0]!.committed, 1202);
  assert.equal(f.points[1]!.committed, 2);
});

test('committed cost of days the export has not billed yet is counted as still to come', () => {
  // The export stops two days before today: those days hold ledger tokens only.
  const billedEnd = at('2026-11-28');
  const committed = days('2026-11-01', '2026-11-28', () => 100);
  const total = days('2026-11-01', '2026-11-30', (d) => (d < billedEnd ? 100 : 0) + 4);
  const f = forecastSplit(
    { total, committed, historyFrom: at('2026-11-01'), today: at('2026-11-30'), exportEnd: billedEnd },
    at('2026-11-30'),
    1,
  );
  assert.equal(f.pendingCommittedUsd, 200);
  assert.equal(f.committedUsd, 100);
});

test('without committed cost the forecast is the variable forecast alone', () => {
  const total = days('2026-10-01', '2026-12-01', (d) => 20 + (new Date(d).getUTCDay() === 0 ? 5 : 0));
  const f = forecastSplit(
    { total, committed: new Map(), historyFrom: at('2026-10-01'), today: at('2026-12-01'), exportEnd: null },
    at('2026-12-01'),
    14,
  );
  assert.equal(f.committedUsd, 0);
  assert.deepEqual(f.total, f.variable);
  assert.ok(f.total.p50 > 14 * 19 && f.total.p50 < 14 * 26, String(f.total.p50));
});

test('a committed schedule that always held has a zero-width interval; one that changed gets its backtest range', () => {
  const flat = (committedUsd: (d: number) => number): SplitHistory => ({
    total: days('2026-09-01', '2026-12-01', (d) => committedUsd(d) + 5),
    committed: days('2026-09-01', '2026-12-01', committedUsd),
    historyFrom: at('2026-09-01'),
    today: at('2026-12-01'),
    exportEnd: at('2026-12-01'),
  });
  const steady = forecastSplit(
    flat(() => 40),
    at('2026-12-01'),
    31,
  );
  assert.equal(steady.committed.source, 'schedule');
  assert.ok(steady.committed.origins >= 4);
  assert.equal(steady.committed.p10, steady.committed.p90);
  assert.ok(Math.abs(steady.committedUsd - 31 * 40) < 1e-6);
  // A second PTU deployment from 1 November: the schedule read before it under-forecast that month.
  const grew = forecastSplit(
    flat((d) => (d >= at('2026-11-01') ? 80 : 40)),
    at('2026-12-01'),
    31,
  );
  assert.equal(grew.committed.source, 'backtest');
  assert.ok(Math.abs(grew.committedUsd - 31 * 80) < 1e-6);
  assert.ok(grew.committed.p90 > grew.committedUsd && grew.committed.p10 <= grew.committedUsd);
  // The total's band holds the committed band (the parts' quantiles add).
  assert.ok(grew.total.p90 - grew.total.p50 >= grew.committed.p90 - grew.committedUsd - 1e-9);
});
