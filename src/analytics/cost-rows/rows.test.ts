import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCostRows, previousPeriod, topCostRows } from './index.js';

const row = (model: string, effective: string, extra: Record<string, unknown> = {}) => ({
  x_AiModel: model,
  currency: 'USD',
  billedCost: effective,
  effectiveCost: effective,
  listCost: effective,
  rows: 1,
  ...extra,
});

test('the top groups by effective cost stay and the rest fold into one exact "(other)" row', () => {
  const rows = [row('a', '1.1'), row('b', '5'), row('c', '0.0000000001'), row('d', '3'), row('e', '0.2')];
  const out = topCostRows(rows, ['x_AiModel'], 2);
  assert.deepEqual(
    out.map((r) => [r['x_AiModel'], r['effectiveCost'], r['rows']]),
    [
      ['b', '5', 1],
      ['d', '3', 1],
      ['(other)', '1.3000000001', 3],
    ],
  );
  assert.equal(topCostRows(rows, ['x_AiModel'], 10).length, 5);
});

test('folding keeps currencies and time buckets apart', () => {
  const rows = [
    row('a', '9', { date: '2026-11-01' }),
    row('b', '1', { date: '2026-11-01' }),
    row('c', '2', { date: '2026-11-02' }),
    row('d', '4', { currency: 'EUR', date: '2026-11-01' }),
  ];
  const other = topCostRows(rows, ['x_AiModel'], 1).filter((r) => r['x_AiModel'] === '(other)');
  assert.deepEqual(other.map((r) => [r['currency'], r['date'], r['effectiveCost']]).sort(), [
    ['EUR', '2026-11-01', '4'],
    ['USD', '2026-11-01', '1'],
    ['USD', '2026-11-02', '2'],
  ]);
});

test('a comparison adds the previous amounts per group and keeps groups that only the previous period had', () => {
  const out = compareCostRows(
    [row('a', '110'), row('new', '5')],
    [row('a', '100'), row('gone', '7')],
    ['x_AiModel'],
  );
  const by = Object.fromEntries(out.map((r) => [r['x_AiModel'], r]));
  assert.deepEqual(by['a']!['previous'], { billedCost: '100', effectiveCost: '100', listCost: '100' });
  assert.equal(by['a']!['changePct'], 10);
  assert.equal(by['new']!['changePct'], null);
  assert.equal((by['new']!['previous'] as Record<string, string>)['effectiveCost'], '0');
  assert.equal(by['gone']!['effectiveCost'], '0');
  assert.equal((by['gone']!['previous'] as Record<string, string>)['effectiveCost'], '7');
});

test('a month to date is compared with the same days of the month before, other windows with as long before', () => {
  const d = (s: string) => new Date(`${s}T00:00:00Z`);
  const iso = (w: { from: Date; to: Date }) => [
    w.from.toISOString().slice(0, 10),
    w.to.toISOString().slice(0, 10),
  ];
  assert.deepEqual(iso(previousPeriod(d('2026-03-01'), d('2026-03-15'))), ['2026-02-01', '2026-02-15']);
  assert.deepEqual(iso(previousPeriod(d('2026-03-01'), d('2026-04-01'))), ['2026-02-01', '2026-03-01']);
  // March 31 days against February's 28: capped at the month's start.
  assert.deepEqual(iso(previousPeriod(d('2026-03-01'), d('2026-03-31'))), ['2026-02-01', '2026-03-01']);
  assert.deepEqual(iso(previousPeriod(d('2026-03-10'), d('2026-03-17'))), ['2026-03-03', '2026-03-10']);
});
