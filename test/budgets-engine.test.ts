import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetPeriod, budgetStatus, type BudgetDef } from '../src/analytics/budgets/index.js';

const def = (p: Partial<BudgetDef>): BudgetDef => ({
  id: 'b',
  scope: 'all',
  value: null,
  period: 'month',
  amountNanos: 1_000_000_000_000n, // $1,000
  actual: [50, 80, 100],
  forecast: [100],
  hard: false,
  source: 'config',
  ...p,
});

test('budget periods are UTC calendar windows (ISO weeks start on Monday)', () => {
  const now = new Date('2026-05-14T15:00:00Z'); // a Thursday
  const iso = (b: BudgetDef) => {
    const w = budgetPeriod(b, now);
    return [w.start.toISOString().slice(0, 10), w.end.toISOString().slice(0, 10)];
  };
  assert.deepEqual(iso(def({ period: 'day' })), ['2026-05-14', '2026-05-15']);
  assert.deepEqual(iso(def({ period: 'week' })), ['2026-05-11', '2026-05-18']);
  assert.deepEqual(iso(def({ period: 'month' })), ['2026-05-01', '2026-06-01']);
  assert.deepEqual(iso(def({ period: 'quarter' })), ['2026-04-01', '2026-07-01']);
  assert.deepEqual(iso(def({ period: 'year' })), ['2026-01-01', '2027-01-01']);
  assert.deepEqual(iso(def({ period: 'custom', start: '2026-05-10', end: '2026-06-10' })), [
    '2026-05-10',
    '2026-06-10',
  ]);
});

test('status sums spend exactly, forecasts the period end with an interval and lists crossed thresholds', () => {
  const day = 86_400_000;
  const daily = new Map<number, bigint>();
  // $30.000000001 a day from April 1 to May 14 (inclusive): exact nanos, no float drift.
  for (let t = Date.UTC(2026, 3, 1); t <= Date.UTC(2026, 4, 14); t += day) daily.set(t, 30_000_000_001n);
  const s = budgetStatus(def({}), daily, new Date('2026-05-15T00:00:00Z'));
  assert.equal(s.spentUsd, (14 * 30_000_000_001) / 1e9);
  // 14 days spent, 17 to go at about $30: about $930 at the end, under $1,000.
  assert.ok(Math.abs(s.forecastUsd - 930) < 15, String(s.forecastUsd));
  assert.ok(s.forecastP10Usd <= s.forecastUsd && s.forecastUsd <= s.forecastP90Usd);
  assert.deepEqual(s.crossed, []);
  const tight = budgetStatus(def({ amountNanos: 700_000_000_000n }), daily, new Date('2026-05-15T00:00:00Z'));
  assert.deepEqual(
    tight.crossed.map((c) => `${c.type}:${c.percent}`),
    ['actual:50', 'forecast:100'],
  );
  assert.equal(tight.exceeded, false);
});

test('after the period ends the forecast is the spend itself', () => {
  const daily = new Map<number, bigint>([[Date.UTC(2026, 0, 5), 5_000_000_000n]]);
  const s = budgetStatus(
    def({ period: 'custom', start: '2026-01-01', end: '2026-01-10' }),
    daily,
    new Date('2026-02-01'),
  );
  assert.equal(s.forecastUsd, 5);
  assert.equal(s.forecastP90Usd, 5);
});

test("a budget's forecast gives the organisation's holidays their own effect", () => {
  const day = 86_400_000;
  const daily = new Map<number, bigint>();
  // $100 a weekday and $40 a weekend day from March 1; past holidays (Mondays) at $20.
  const holidays = [
    Date.UTC(2026, 2, 23),
    Date.UTC(2026, 3, 6),
    Date.UTC(2026, 3, 20),
    Date.UTC(2026, 4, 18),
  ];
  for (let t = Date.UTC(2026, 2, 1); t < Date.UTC(2026, 4, 14); t += day) {
    const dow = new Date(t).getUTCDay();
    const usd = holidays.includes(t) ? 20 : dow === 0 || dow === 6 ? 40 : 100;
    daily.set(t, BigInt(usd) * 1_000_000_000n);
  }
  const now = new Date('2026-05-14T00:00:00Z');
  const without = budgetStatus(def({}), daily, now);
  const withHolidays = budgetStatus(def({}), daily, now, undefined, holidays);
  // May 18 (a Monday in the rest of the month) is a holiday: about $80 less by the month's end.
  const saved = without.forecastUsd - withHolidays.forecastUsd;
  assert.ok(saved > 50 && saved < 110, `${without.forecastUsd} - ${withHolidays.forecastUsd}`);
});
