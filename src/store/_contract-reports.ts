/**
 * The contract for the named operations reports, budgets, KPIs, cost rows and access call: backend-neutral
 * (only CostStore operations), so every backend runs the same tests through `runStoreContract`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUsageEvent, type UsageEvent } from './usage-event.js';
import type { CostStore } from './store.js';
import type { CostRowInput } from './reports.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const W = { from: new Date(T0), to: new Date(T0 + 3 * DAY) };

/** An event with every field set to a value unlike its default, so a dropped or swapped column shows. */
function fullEvent(i: number): UsageEvent {
  return {
    id: `full-${i}`,
    startTime: T0 + i * 3_600_000 + 123,
    durationMs: 250 + i,
    ttftMs: 40 + i,
    keyId: `key-${i % 2}`,
    team: i % 2 ? 'search' : 'support',
    app: `app-${i % 3}`,
    environment: 'prod',
    costCenter: 'cc-7',
    endUser: `user-${i}`,
    tags: { conversation_id: `c-${i % 2}`, task: 'chat' },
    provider: 'openai',
    upstream: 'eastus',
    deployment: 'gpt4o-dep',
    requestModel: 'gpt-4o',
    model: 'gpt-4o-2024-08-06',
    deploymentType: 'data-zone',
    region: 'eastus2',
    operation: 'responses',
    streamed: true,
    inputTokens: 1000 + i,
    cachedInputTokens: 200,
    outputTokens: 50 + i,
    reasoningTokens: 10,
    usageSource: 'estimated',
    httpStatus: i === 0 ? 429 : 200,
    errorClass: i === 0 ? 'rate_limited' : null,
    cacheOutcome: i === 1 ? 'hit-exact' : 'miss',
    attempts: 2,
    // Past 2^53 nanos: must stay exact end to end.
    costNanos: 9_007_199_254_740_993n + BigInt(i),
    listCostNanos: 12_000_000_000n,
    savedCostNanos: 7n,
    priceVersion: `2026-0${1 + (i % 2)}`,
    promptPrefixHash: `prefix-${i % 3}`,
  };
}

function costRow(i: number, values: Record<string, string | null>): CostRowInput {
  return { rowId: `r${i}`, sourceFile: 'f.csv', sourceLine: i + 2, sliceKey: 's1', ingestId: 'i1', values };
}

const aiRow = (i: number, day: number, team: string, billed: string): CostRowInput =>
  costRow(i, {
    ChargePeriodStart: new Date(T0 + day * DAY).toISOString(),
    ChargePeriodEnd: new Date(T0 + (day + 1) * DAY).toISOString(),
    BilledCost: billed,
    EffectiveCost: billed,
    ListCost: '0.3333333333',
    ServiceName: 'Azure OpenAI',
    ServiceCategory: 'AI and Machine Learning',
    ResourceName: 'eastus',
    ConsumedQuantity: '1000',
    Tags: JSON.stringify({ team }),
    x_AiModel: 'gpt-4o',
    x_AiTokenType: 'input',
    x_AiService: 'openai',
  });

/** Registers the report contract for one backend. `open` returns a fresh, empty, migrated store. */
export function runReportContract(backend: string, open: () => Promise<CostStore>): void {
  const withStore = async (fn: (s: CostStore) => Promise<void>) => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  test(`${backend}: every usage field reads back exactly as appended, paged by (start, id)`, () =>
    withStore(async (s) => {
      const events = [0, 1, 2, 3, 4].map(fullEvent);
      assert.equal(await s.appendUsage(events), events.length);
      const first = await s.readUsage({ ...W, limit: 3 });
      const last = first.at(-1)!;
      const rest = await s.readUsage({ ...W, limit: 10, after: { startTime: last.startTime, id: last.id } });
      assert.deepEqual([...first, ...rest], events);
    }));

  test(`${backend}: extents, restart totals, daily tokens and deletion by id prefix agree with the events`, () =>
    withStore(async (s) => {
      const events = [0, 1, 2, 3].map(fullEvent);
      await s.appendUsage([...events, makeUsageEvent({ id: 'other-1', startTime: T0 + DAY, model: 'm' })]);
      const ext = await s.usageExtent();
      assert.equal(ext.events, 5);
      assert.equal(ext.first?.getTime(), events[0]!.startTime);
      assert.equal(ext.last?.getTime(), T0 + DAY);
      const cut = new Date(events[2]!.startTime);
      const totals = await s.usageTotalsSince(W.from, [W.from, cut]);
      const sum = (es: UsageEvent[], k: 'costNanos') => es.reduce((a, e) => a + e[k], 0n);
      const all = totals.reduce((a, t) => a + t.costNanos[0]!, 0n);
      const late = totals.reduce((a, t) => a + t.costNanos[1]!, 0n);
      assert.equal(all, sum(events, 'costNanos'));
      assert.equal(late, sum(events.slice(2), 'costNanos'));
      // Cache hits (event 1) used no upstream tokens.
      const tokens = totals.reduce((a, t) => a + t.tokens[0]!, 0n);
      const upstream = events.filter((e) => e.cacheOutcome !== 'hit-exact');
      assert.equal(tokens, BigInt(upstream.reduce((a, e) => a + e.inputTokens + e.outputTokens, 0)));
      const days = await s.tokensByDay(W, 'full-');
      const ok = events.filter((e) => e.httpStatus < 400);
      assert.equal(
        days.reduce((a, d) => a + d.output, 0n),
        BigInt(ok.reduce((a, e) => a + e.outputTokens, 0)),
      );
      assert.equal(await s.deleteUsageByIdPrefix('full-'), 4);
      assert.equal((await s.usageExtent()).events, 1);
    }));

  test(`${backend}: report aggregates over usage are exact and grouped as each report reads them`, () =>
    withStore(async (s) => {
      const events = [0, 1, 2, 3, 4, 5].map(fullEvent);
      await s.appendUsage(events);
      const metered = await s.meteredUsageByDay(W);
      assert.equal(
        metered.reduce((a, m) => a + m.costNanos, 0n),
        events.reduce((a, e) => a + e.costNanos, 0n),
      );
      assert.deepEqual(metered[0]?.priceVersions, ['2026-01', '2026-02']);
      const groups = await s.outputTokenGroups(W, 'team', ['search']);
      const search = events.filter((e) => e.team === 'search');
      assert.deepEqual(
        groups.map((g) => [g.key, g.requests, g.outputTokens]),
        [['search', search.length, search.reduce((a, e) => a + e.outputTokens, 0)]],
      );
      const activity = await s.usageActivity(W, 'all');
      assert.deepEqual(activity, [{ scope: 'all', requests: 6, conversations: 2, activeUsers: 6 }]);
      // One pass for every scope answers what each scope's own query answers, in its order.
      const scopes = await s.usageActivityScopes(W);
      for (const by of ['app', 'team', 'all'] as const)
        assert.deepEqual(scopes[by], await s.usageActivity(W, by), by);
      assert.ok(scopes.app.length > 1 && scopes.team.length > 1);
      const none = { from: new Date(T0 - DAY), to: new Date(T0) };
      assert.deepEqual(await s.usageActivityScopes(none), { app: [], team: [], all: [] });
      assert.deepEqual(await s.usageActivity(none, 'all'), []);
      const [stats] = await s.deploymentStats(W);
      assert.equal(stats?.requests, 6);
      assert.equal(stats?.errors, 1);
      assert.equal(stats?.cacheHits, 1);
      assert.equal(
        stats?.costNanos,
        events.reduce((a, e) => a + e.costNanos, 0n),
      );
      assert.ok(stats.p95LatencyMs !== null && stats.p95LatencyMs <= 255 && stats.p95LatencyMs >= 253);
      const hourly = await s.spendByBucket({
        source: 'usage',
        scope: 'team',
        value: 'search',
        ...W,
        bucketMs: DAY,
      });
      assert.deepEqual(hourly, [{ bucket: T0, costNanos: search.reduce((a, e) => a + e.costNanos, 0n) }]);
      const cells = await s.spendCells('usage', W, 3_600_000);
      assert.equal(cells.length, 6);
      assert.equal(cells[0]?.dims['deploymentType'], 'data-zone');
    }));

  test(`${backend}: cost rows keep exact decimals through rows, groups, the costs report and spend series`, () =>
    withStore(async (s) => {
      const rows = [
        aiRow(0, 0, 'search', '0.1000000001'),
        aiRow(1, 0, 'search', '0.2'),
        aiRow(2, 1, 'web', '5'),
      ];
      rows.push(costRow(3, { ChargePeriodStart: W.from.toISOString(), BilledCost: '9', ServiceName: 'VMs' }));
      assert.equal(await s.appendCostRows(rows), 4);
      const ai = await s.costRows(W, []);
      assert.deepEqual(
        ai.map((r) => r.values['BilledCost']),
        ['0.1000000001', '0.2000000000', '5.0000000000'],
      );
      assert.equal(ai[0]?.values['ChargePeriodStart'], '2026-03-01T00:00:00Z');
      const withVm = await s.costRows(W, [{ ServiceName: ['vms'] }]);
      assert.equal(withVm.length, 4);
      const byTag = await s.costRows(W, [{ 'Tags.team': ['WEB'] }]);
      assert.equal(byTag.length, 3);
      // Alike rows (same resource, model, meter and tags) sum into one group: the two search rows.
      const groups = await s.costGroups(W, []);
      assert.deepEqual(
        groups.map((g) => [g.values['BilledCost'], g.values['_rows']]),
        [
          ['0.3000000001', '2'],
          ['5.0000000000', '1'],
        ],
      );
      assert.equal((await s.costGroups(W, [], { byDay: true })).length, 2);
      const report = await s.costReport({ ...W, by: ['ServiceName'], granularity: 'day', teams: ['search'] });
      assert.deepEqual(
        report.map((r) => [r.dims, r.billed, r.rows]),
        [
          [
            [
              ['date', '2026-03-01'],
              ['ServiceName', 'Azure OpenAI'],
            ],
            '0.300000000',
            2,
          ],
        ],
      );
      const spend = await s.spendByBucket({
        source: 'costs',
        scope: 'team',
        value: 'web',
        ...W,
        bucketMs: DAY,
      });
      assert.deepEqual(spend, [{ bucket: T0 + DAY, costNanos: 5_000_000_000n }]);
      const cells = await s.spendCells('costs', W, DAY);
      assert.equal(
        cells.reduce((a, c) => a + c.costNanos, 0n),
        14_300_000_000n,
      );
      await s.recordIngest({
        id: 'i1',
        file: 'f.csv',
        fileHash: 'h',
        format: 'focus',
        sliceKey: 's1',
        rowsLoaded: 4,
        rowsRejected: 0,
        ingestedAt: new Date(T0 + 5 * DAY),
      });
      const [fresh] = await s.ingestFreshness();
      assert.deepEqual(fresh, {
        format: 'focus',
        lastIngestAt: new Date(T0 + 5 * DAY),
        rows: 4,
        lastChargeAt: new Date(T0 + 2 * DAY),
      });
      await s.deleteCostSource('f.csv');
      assert.deepEqual(await s.costRows(W, [{ ServiceName: ['vms'] }]), []);
      assert.deepEqual(await s.ingestFreshness(), []);
    }));

  test(`${backend}: month stamps of cost rows move only for the months a write added to or removed from`, () =>
    withStore(async (s) => {
      assert.deepEqual(await s.costMonthStamps(), []);
      const feb = (i: number, ingestId: string): CostRowInput => ({
        ...costRow(i, { ChargePeriodStart: '2026-02-27T00:00:00Z', BilledCost: '1', ServiceName: 'VMs' }),
        ingestId,
      });
      await s.appendCostRows([aiRow(0, 0, 'search', '1'), aiRow(1, 1, 'web', '2'), feb(2, 'a-0')]);
      const before = await s.costMonthStamps();
      assert.deepEqual(before, [
        { month: '2026-02', rows: 1, lastIngestId: 'a-0' },
        { month: '2026-03', rows: 2, lastIngestId: 'i1' },
      ]);
      // A later ingest (a greater, time-ordered id) into February: only February's stamp moves.
      await s.appendCostRows([feb(3, 'b-0')]);
      const after = await s.costMonthStamps();
      assert.deepEqual(after[0], { month: '2026-02', rows: 2, lastIngestId: 'b-0' });
      assert.deepEqual(after[1], before[1]);
    }));

  test(`${backend}: budgets and KPIs are stored, replaced, listed and deleted`, () =>
    withStore(async (s) => {
      const b = {
        id: 'team:search:month',
        scope: 'team',
        value: 'search',
        period: 'month',
        amountNanos: 9_007_199_254_740_993n,
        thresholds: { actual: [50, 100], forecast: [100] },
        hard: true,
        startsAt: '2026-03-01T00:00:00.000Z',
        endsAt: null,
        createdAt: '2026-03-02T10:00:00.000Z',
      };
      await s.saveBudget(b);
      await s.saveBudget({ ...b, hard: false });
      assert.deepEqual(await s.listBudgets(), [{ ...b, hard: false }]);
      assert.equal(await s.deleteBudget(b.id), true);
      assert.equal(await s.deleteBudget(b.id), false);
      const kpi = { app: 'bot', team: null, metric: 'orders', source: 'demo' };
      await s.insertKpis([
        { ...kpi, day: '2026-03-01', value: '12.5' },
        { ...kpi, day: '2026-03-09', value: '3' },
        { ...kpi, app: null, group: 'storefront', day: '2026-03-01', metric: 'revenue', value: '900' },
      ]);
      assert.deepEqual(await s.listKpis(W), [
        { day: '2026-03-01', app: 'bot', team: null, group: null, metric: 'orders', value: '12.500000' },
        {
          day: '2026-03-01',
          app: null,
          team: null,
          group: 'storefront',
          metric: 'revenue',
          value: '900.000000',
        },
      ]);
      await s.deleteKpis('demo');
      assert.deepEqual(await s.listKpis(W), []);
    }));

  test(`${backend}: maturity facts count tagged spend, limited keys, KPI apps and triaged incidents`, () =>
    withStore(async (s) => {
      const events = [0, 1].map(fullEvent);
      await s.appendUsage([...events, makeUsageEvent({ id: 'x', startTime: T0, model: 'm', costNanos: 5n })]);
      await s.insertKey({
        id: 'k1',
        keyHash: 'h1',
        keyPrefix: 'tk',
        team: null,
        app: null,
        environment: null,
        costCenter: null,
        tags: {},
        config: { tpm: 10 },
        status: 'active',
        createdAt: new Date(T0),
        revokedAt: null,
        replacedBy: null,
      });
      await s.setIncidentState({
        id: 'inc',
        state: 'acknowledged',
        changedBy: 'ana',
        changedAt: new Date(T0),
        note: null,
      });
      const f = await s.maturityFacts(W);
      assert.equal(
        f.ledgerCostNanos,
        events.reduce((a, e) => a + e.costNanos, 5n),
      );
      assert.equal(
        f.taggedCostNanos,
        events.reduce((a, e) => a + e.costNanos, 0n),
      );
      assert.deepEqual(f.teamsWithSpend, ['search', 'support']);
      assert.equal(f.exportTokenListNanos, null);
      assert.equal(f.activeKeys, 1);
      assert.equal(f.keysWithLimits, 1);
      assert.equal(f.incidentsTriaged, 1);
      const states = await s.getIncidentStates(['inc', 'none']);
      assert.equal(states.get('inc')?.state, 'acknowledged');
      assert.equal(states.has('none'), false);
    }));
}
