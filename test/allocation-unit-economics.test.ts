import { test } from 'node:test';
import { duckdbSql } from '../src/store/index.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { seedStandardOrg, STANDARD_CONFIG, withStore, inTempDir } from './_allocation-fixture.js';

interface Outcome {
  metric: string;
  value: number;
  costPerUnitUsd: number;
  previousCostPerUnitUsd: number | null;
}
interface UnitRow {
  app?: string;
  team?: string;
  costUsd: number;
  requests: number;
  conversations: number;
  activeUsers: number;
  costPerRequestUsd: number;
  costPerConversationUsd: number | null;
  costPerActiveUserUsd: number;
  outcomes: Outcome[];
  aiCostShareOfRevenue: number | null;
  previous: { costPerRequestUsd: number | null } | null;
}

const close = (a: number | null | undefined, b: number, eps = 1e-6) =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) < eps, `${a} != ${b}`);

test('unit-economics divides allocated cost by requests, conversations, users and KPI outcomes, with trend', async () => {
  await inTempDir('tally-unit-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const cfg = join(dir, 'tally.yaml');
    const kpi = join(dir, 'kpi.csv');
    writeFileSync(cfg, STANDARD_CONFIG);
    writeFileSync(
      kpi,
      [
        'date,app,team,metric,value',
        '2026-01-03,search-app,search,orders,60',
        '2026-01-20,search-app,search,orders,40',
        '2026-01-04,search-app,search,revenue,5000.50',
        '2026-01-04,helpdesk,support,tickets_resolved,40',
        '2025-12-10,search-app,search,orders,50',
        '2026-02-01,search-app,search,orders,999',
      ].join('\n'),
    );
    await withStore(db, seedStandardOrg);
    const r = await runCli([
      'unit-economics',
      '--db',
      db,
      '--config',
      cfg,
      '--period',
      '2026-01',
      '--kpi',
      kpi,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<{ rows: UnitRow[]; total: UnitRow }>();
    const search = doc.rows.find((x) => x.app === 'search-app')!;
    // search-app: direct 9 + PTU 100 x 4/6 + AI Search 35, over 2 requests, 1 conversation, 1 user.
    const cost = 9 + 100 * (4 / 6) + 35;
    close(search.costUsd, cost);
    assert.equal(search.requests, 2);
    assert.equal(search.conversations, 1);
    assert.equal(search.activeUsers, 1);
    close(search.costPerRequestUsd, cost / 2);
    close(search.costPerConversationUsd, cost);
    const orders = search.outcomes.find((o) => o.metric === 'orders')!;
    assert.equal(orders.value, 100);
    close(orders.costPerUnitUsd, cost / 100);
    // December: $4 over one request and 50 orders.
    close(orders.previousCostPerUnitUsd, 4 / 50);
    close(search.previous?.costPerRequestUsd, 4);
    close(search.aiCostShareOfRevenue, cost / 5000.5, 1e-5);
    const help = doc.rows.find((x) => x.app === 'helpdesk')!;
    close(help.outcomes[0]!.costPerUnitUsd, (5 + 100 / 3 + 15) / 40);
    assert.equal(help.aiCostShareOfRevenue, null);
    close(doc.total.costUsd, 173.5);
    // Revenue is search-app's alone: the organisation's AI cost share of revenue is search-app's cost over it,
    // never all AI spend (helpdesk and the rest included) over one app's revenue.
    close(doc.total.aiCostShareOfRevenue, cost / 5000.5, 1e-5);
    assert.deepEqual((doc.total as UnitRow & { revenueScopes: string[] }).revenueScopes, ['search-app']);
    assert.equal(doc.total.requests, 5);
    assert.equal(doc.total.activeUsers, 4);
  });
});

test('unit-economics reads stored KPIs when no file is given and rejects a malformed KPI file', async () => {
  await inTempDir('tally-unit-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, async (s) => {
      await seedStandardOrg(s);
      await duckdbSql(s).exec(
        `INSERT INTO business_kpis (day, app, team, metric, value, source) VALUES (DATE '2026-01-05', 'helpdesk', 'support', 'tickets_resolved', 10, 'test')`,
      );
    });
    const r = await runCli(['unit-economics', '--db', db, '--period', '2026-01', '--by', 'team', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const support = r.json<{ rows: UnitRow[] }>().rows.find((x) => x.team === 'support')!;
    assert.equal(support.outcomes[0]!.metric, 'tickets_resolved');
    close(support.outcomes[0]!.costPerUnitUsd, support.costUsd / 10);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,app,metric,value\n2026-01-01,x,orders,lots\n');
    const e = await runCli(['unit-economics', '--db', db, '--period', '2026-01', '--kpi', bad]);
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /bad\.csv:2: value "lots" is not a number/);
  });
});

test('without conversation ids on the traffic a conversations KPI stands in, per app only', async () => {
  await inTempDir('tally-unit-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const kpi = join(dir, 'kpi.csv');
    writeFileSync(kpi, 'date,app,metric,value\n2026-01-09,lab,conversations,5\n');
    await withStore(db, seedStandardOrg);
    const r = await runCli(['unit-economics', '--db', db, '--period', '2026-01', '--kpi', kpi, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<{ rows: (UnitRow & { conversationsSource: string | null })[]; total: UnitRow }>();
    const lab = doc.rows.find((x) => x.app === 'lab')!;
    assert.equal(lab.conversations, 5);
    assert.equal(lab.conversationsSource, 'kpi');
    close(lab.costPerConversationUsd, 2.5 / 5);
    // The organisation's conversations come from the gateway only (3 distinct ids), never from one app's KPI.
    assert.equal(doc.total.conversations, 3);
    assert.deepEqual(doc.total.outcomes, []);
  });
});
