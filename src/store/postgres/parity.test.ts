/**
 * The same rows in DuckDB and in PostgreSQL give the same answers from every named report operation: the
 * aggregates chargeback, reconcile, budgets, forecasts and anomalies read are equal value for value, money to the
 * nano. Analytics are pure functions of these rows, so equal rows mean equal reports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, skipWithoutPostgres, type PgCluster } from '../../../test/postgres-cluster.js';
import { openDuckDBStore } from '../duckdb/index.js';
import { makeUsageEvent, type UsageEvent } from '../usage-event.js';
import type { CostStore } from '../store.js';
import type { SqlStore } from '../sql/sql-store.js';
import { openPostgresStore } from './index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const W = { from: new Date(T0), to: new Date(T0 + 31 * DAY) };

/** A month of varied usage: teams, apps, models, cache hits, errors, tags, odd strings, exact sub-cent costs. */
function usage(): UsageEvent[] {
  const teams = ['search', 'support', 'Zeta', 'ärger', null];
  const models = ['gpt-4o-2024-08-06', 'gpt-4o-mini', 'o3-mini'];
  const out: UsageEvent[] = [];
  for (let i = 0; i < 3000; i++)
    out.push(
      makeUsageEvent({
        id: `${i % 7 === 0 ? 'demo-' : ''}e${i}`,
        startTime: T0 + ((i * 7_919_000) % (30 * DAY)) + 0.5,
        model: models[i % 3]!,
        team: teams[i % 5]!,
        app: i % 4 ? `app-${i % 4}` : null,
        keyId: `k${i % 6}`,
        endUser: i % 3 ? `u${i % 11}` : null,
        upstream: i % 2 ? 'east' : 'west',
        deployment: `dep-${i % 3}`,
        region: i % 2 ? 'eastus' : null,
        deploymentType: i % 10 === 0 ? 'provisioned' : 'global-standard',
        tags: i % 2 ? { conversation_id: `c${i % 40}` } : { session_id: `s${i % 13}` },
        durationMs: 100 + (i % 37),
        ttftMs: i % 5 ? 20 + (i % 9) : null,
        inputTokens: 1000 + i,
        cachedInputTokens: i % 3 === 0 ? 200 : 0,
        outputTokens: 50 + (i % 100),
        httpStatus: i % 29 === 0 ? 429 : 200,
        cacheOutcome: i % 17 === 0 ? 'hit-exact' : 'miss',
        costNanos: 333_333n + BigInt(i),
        listCostNanos: 400_001n + BigInt(i),
        savedCostNanos: i % 17 === 0 ? 12_345n : 0n,
        priceVersion: i % 2 ? '2026-02' : '2026-03',
      }),
    );
  return out;
}

const COST_COLS = [
  '_row_id',
  '_source_file',
  '_source_line',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ConsumedQuantity',
  'ResourceName',
  'ServiceName',
  'ServiceCategory',
  'ChargeCategory',
  'x_AiModel',
  'x_AiTokenType',
  'x_AiDeploymentType',
  'Tags',
];

/** Cost rows with exact decimals below a cent, tags, and days across the month. */
async function loadCosts(s: SqlStore): Promise<void> {
  const cols = COST_COLS.map((c) => (c.startsWith('_') ? c : `"${c}"`)).join(', ');
  for (let i = 0; i < 120; i++) {
    const start = new Date(T0 + (i % 30) * DAY);
    await s.exec(
      `INSERT INTO cost_rows (${cols}) VALUES ($1, $2, $3, $4, $5, CAST($6 AS DECIMAL(38,10)),
        CAST($7 AS DECIMAL(38,10)), CAST($8 AS DECIMAL(38,10)), CAST($9 AS DECIMAL(38,10)), $10, $11, $12, $13,
        $14, $15, $16, $17)`,
      [
        `r${i}`,
        'export.csv',
        i,
        start,
        new Date(start.getTime() + DAY),
        `${(i * 1.0000000123).toFixed(10)}`,
        i % 5 ? `${(i * 0.9).toFixed(10)}` : null,
        `${(i * 1.2).toFixed(10)}`,
        `${1000 * i}`,
        `dep-${i % 3}`,
        'Azure OpenAI',
        'AI and Machine Learning',
        i % 9 ? 'Usage' : 'Purchase',
        i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
        ['input', 'output', 'cached-input'][i % 3]!,
        'global-standard',
        JSON.stringify(i % 4 ? { team: i % 2 ? 'search' : 'support', app: `app-${i % 3}` } : {}),
      ],
    );
  }
}

async function fill(s: SqlStore): Promise<void> {
  await s.appendUsage(usage());
  await loadCosts(s);
  await s.insertKpis([
    { day: '2026-03-02', app: 'app-1', team: null, metric: 'orders', value: '12.5', source: 'kpi.csv' },
    {
      day: '2026-03-03',
      app: 'app-2',
      team: 'search',
      metric: 'orders',
      value: '0.000001',
      source: 'kpi.csv',
    },
  ]);
  await s.saveBudget({
    id: 'b1',
    scope: 'team',
    value: 'search',
    period: 'month',
    amountNanos: 5_000_000_000n,
    thresholds: [0.5, 0.9],
    hard: true,
    startsAt: null,
    endsAt: null,
    createdAt: new Date(T0).toISOString(),
  });
}

describe('DuckDB and PostgreSQL answer alike', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let duck: SqlStore;
  let pgs: SqlStore;
  before(async () => {
    cluster = await startPostgres();
    duck = await openDuckDBStore({ path: ':memory:' });
    pgs = await openPostgresStore({ url: await cluster.database() });
    await fill(duck);
    await fill(pgs);
  });
  after(async () => {
    await duck?.close();
    await pgs?.close();
    await cluster?.stop();
  });

  /** Equal, in the same order (for operations whose SQL orders its rows completely). */
  const same = async <T>(what: (s: CostStore) => Promise<T>) => {
    const [a, b] = [await what(duck), await what(pgs)];
    assert.deepEqual(b, a);
    return a;
  };
  /** Equal as sets of rows (for operations that leave the order of ties, or all order, unspecified). */
  const sameRows = async <T>(what: (s: CostStore) => Promise<T[]>) => {
    const key = (r: T) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    const sorted = (rows: T[]) => [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
    const [a, b] = [await what(duck), await what(pgs)];
    assert.deepEqual(sorted(b), sorted(a));
    return a;
  };

  test('usage aggregates by every dimension, with filters and the id prefix, are equal', async () => {
    const rows = await same((s) => s.aggregateUsage({ ...W, by: ['team', 'model', 'day'] }));
    assert.ok(rows.length > 20, `${rows.length} groups`);
    await same((s) => s.aggregateUsage({ ...W, by: ['hour'], where: { team: 'search' } }));
    await same((s) => s.aggregateUsage({ ...W, by: ['app', 'cache_outcome'], idPrefix: 'demo-' }));
    await same((s) => s.aggregateUsage({ ...W, by: [] }));
    await same((s) => s.usageExtent(W));
    await same((s) => s.usageExtent());
  });

  test('reconciliation, carbon, unit-economics and engineering aggregates are equal', async () => {
    const metered = await sameRows((s) => s.meteredUsageByDay(W));
    assert.ok(metered.some((r) => r.priceVersions.length > 0));
    await sameRows((s) => s.outputTokenGroups(W, 'team'));
    await sameRows((s) => s.outputTokenGroups(W, 'app', ['search', 'Zeta']));
    await sameRows((s) => s.usageActivity(W, 'app'));
    await sameRows((s) => s.usageActivity(W, 'all'));
    await sameRows((s) => s.listKpis(W));
    await sameRows((s) => s.deploymentStats(W));
    await same((s) => s.maturityFacts(W));
    await sameRows((s) => s.tokensByDay(W, 'demo-'));
  });

  test('budget spend, forecast and anomaly cells are equal for the ledger and the exports', async () => {
    for (const source of ['usage', 'costs'] as const) {
      await sameRows((s) => s.spendByBucket({ source, scope: 'all', value: null, ...W, bucketMs: DAY }));
      await sameRows((s) => s.spendByBucket({ source, scope: 'team', value: 'search', ...W, bucketMs: DAY }));
      await sameRows((s) => s.spendCells(source, W, DAY));
    }
    await sameRows((s) => s.usageTotalsSince(new Date(T0), [new Date(T0), new Date(T0 + 10 * DAY)]));
    await same((s) => s.listBudgets());
  });

  test('cost rows and alike-row groups for allocation are equal, decimals exact', async () => {
    const rows = await same((s) => s.costRows(W, [{ 'Tags.team': ['search'] }]));
    assert.ok(rows.length > 100);
    await same((s) => s.costGroups(W, []));
    await same((s) => s.costGroups(W, [{ ServiceName: ['azure openai'] }], { byDay: true }));
  });

  test('the costs report grouped and filtered by tags (team, Tags.<key>) is equal, rows without the tag apart', async () => {
    const byTags = await same((s) => s.costReport({ ...W, by: ['team', 'Tags.app'] }));
    assert.deepEqual(
      [...new Set(byTags.map((r) => r.dims[0]![1]))].sort(),
      [null, 'search', 'support'].sort(),
    );
    assert.ok(byTags.every((r) => r.dims[0]![0] === 'team' && r.dims[1]![0] === 'Tags.app'));
    const filtered = await same((s) =>
      s.costReport({
        ...W,
        by: ['x_AiModel'],
        filters: [{ column: 'app', value: 'app-1' }],
        teams: ['search'],
      }),
    );
    assert.ok(filtered.length > 0);
  });

  test('reading the whole ledger back pages through the same events', async () => {
    const page1 = await same((s) => s.readUsage({ ...W, limit: 500 }));
    const last = page1[page1.length - 1]!;
    await same((s) => s.readUsage({ ...W, limit: 500, after: { startTime: last.startTime, id: last.id } }));
  });
});
