import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupPeriod, unitEconomics, UNGROUPED, type KpiValue, type UnitPeriod } from './unit-economics.js';

const B = 1_000_000_000n;
const kpi = (k: Partial<KpiValue> & { metric: string; value: bigint }): KpiValue => ({
  day: '2026-01-05',
  app: null,
  team: null,
  group: null,
  ...k,
});
const act = (scope: string, requests: number, conversations = 0, activeUsers = 0) => ({
  scope,
  requests,
  conversations,
  activeUsers,
});

/** Three apps: checkout and search form the storefront group, wiki is internal. */
function period(kpis: KpiValue[]): UnitPeriod {
  return {
    costs: new Map([
      ['checkout', 30n * B],
      ['search', 50n * B],
      ['wiki', 20n * B],
    ]),
    totalNanos: 107n * B,
    activity: [act('checkout', 10, 4, 3), act('search', 40, 6, 5), act('wiki', 100, 0, 9)],
    overall: act('all', 150, 10, 15),
    kpis,
  };
}
const GROUPS = { storefront: { apps: ['checkout', 'search'] } };

test("a group's revenue ratio is its apps' cost over the group's revenue, never the organisation's cost", () => {
  const byApp = period([kpi({ group: 'storefront', metric: 'revenue', value: 1000n * B })]);
  const { rows, total } = unitEconomics(groupPeriod(byApp, GROUPS), null, 'group', GROUPS);
  const store = rows.find((r) => r['group'] === 'storefront')!;
  assert.equal(store['costUsd'], 80);
  assert.equal(store['requests'], 50);
  assert.equal(store['conversations'], 10);
  assert.equal(store['activeUsers'], null, 'distinct users do not add across apps');
  assert.equal(store['aiCostShareOfRevenue'], 0.08);
  assert.deepEqual(store['apps'], ['checkout', 'search']);
  const rest = rows.find((r) => r['group'] === UNGROUPED)!;
  assert.equal(rest['costUsd'], 20);
  assert.deepEqual(rest['apps'], ['wiki']);
  assert.match(String(rest['noRatioReason']), /\(wiki\)/);
  assert.deepEqual(total['revenueScopes'], ['storefront']);
  assert.equal(total['aiCostShareOfRevenue'], 0.08, '80 of cost over 1000 of revenue, not 107 over it');
});

test('per app, a group KPI counts for no app, and each app without a KPI says why', () => {
  const p = period([
    kpi({ group: 'storefront', metric: 'revenue', value: 1000n * B }),
    kpi({ app: 'wiki', metric: 'pages_read', value: 400n * B }),
  ]);
  const { rows, total } = unitEconomics(p, null, 'app', GROUPS);
  const row = (a: string) => rows.find((r) => r['app'] === a)!;
  assert.deepEqual(row('checkout')['outcomes'], []);
  assert.match(String(row('checkout')['noRatioReason']), /group storefront/);
  assert.equal((row('wiki')['outcomes'] as { costPerUnitUsd: number }[])[0]!.costPerUnitUsd, 0.05);
  assert.equal(row('wiki')['noRatioReason'], undefined);
  assert.equal(total['aiCostShareOfRevenue'], null);
  const alone = unitEconomics(period([]), null, 'app', {});
  assert.match(
    String(alone.rows.find((r) => r['app'] === 'search')!['noRatioReason']),
    /no KPI for app search, and it is in no declared group/,
  );
});

test('a declared group with no KPI and no traffic still has a row saying no KPI names it', () => {
  const groups = { ...GROUPS, labs: { apps: ['notebook'] } };
  const { rows } = unitEconomics(groupPeriod(period([]), groups), null, 'group', groups);
  const labs = rows.find((r) => r['group'] === 'labs')!;
  assert.equal(labs['costUsd'], 0);
  assert.match(String(labs['noRatioReason']), /no KPI row names group labs/);
});
