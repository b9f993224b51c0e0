import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { inTempDir, seedStandardOrg, STANDARD_CONFIG, withStore } from './_allocation-fixture.js';

const GROUPS = `${STANDARD_CONFIG}unitEconomics:
  groups:
    customer: { apps: [search-app, helpdesk] }
`;

interface Row {
  app?: string;
  group?: string;
  apps?: string[];
  costUsd: number;
  requests: number;
  outcomes: { metric: string; value: number; costPerUnitUsd: number }[];
  aiCostShareOfRevenue: number | null;
  noRatioReason?: string;
}
interface Doc {
  by: string;
  rows: Row[];
  total: Row & { revenueScopes?: string[]; revenueCostUsd?: number };
}

/** USD amount (a JSON number) as nanos, exactly as printed. */
const nanos = (v: number) => BigInt(Math.round(v * 1e9));

async function org(dir: string, config: string, kpi: string) {
  const db = join(dir, 't.duckdb');
  const cfg = join(dir, 'tally.yaml');
  const kpiPath = join(dir, 'kpi.csv');
  writeFileSync(cfg, config);
  writeFileSync(kpiPath, kpi);
  await withStore(db, seedStandardOrg);
  const run = (...args: string[]) => runCli([...args, '--db', db, '--config', cfg]);
  return { db, cfg, kpiPath, run };
}

test("a declared group's ratio divides exactly its apps' chargeback cost by the KPI that names the group", async () => {
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { kpiPath, run } = await org(
      dir,
      GROUPS,
      'date,group,metric,value\n2026-01-04,customer,revenue,10000\n2026-01-20,customer,orders,250\n',
    );
    const cb = await run('chargeback', '--period', '2026-01', '--by', 'app', '--json');
    assert.equal(cb.code, 0, cb.stderr);
    const apps = cb.json<{ rows: { app: string; totalCostUsd: number }[] }>().rows;
    const costOf = (a: string) => nanos(apps.find((r) => r.app === a)!.totalCostUsd);
    const groupCost = costOf('search-app') + costOf('helpdesk');

    const r = await run('unit-economics', '--period', '2026-01', '--by', 'group', '--kpi', kpiPath, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<Doc>();
    assert.equal(doc.by, 'group');
    const customer = doc.rows.find((x) => x.group === 'customer')!;
    assert.deepEqual(customer.apps, ['search-app', 'helpdesk']);
    assert.equal(nanos(customer.costUsd), groupCost, 'direct + allocated shared, as chargeback has it');
    assert.equal(customer.requests, 4);
    const revenue = customer.outcomes.find((o) => o.metric === 'revenue')!;
    const orders = customer.outcomes.find((o) => o.metric === 'orders')!;
    assert.equal(orders.value, 250);
    assert.ok(Math.abs(orders.costPerUnitUsd - Number(groupCost) / 1e9 / 250) < 1e-9);
    assert.ok(Math.abs(revenue.costPerUnitUsd - Number(groupCost) / 1e9 / 10000) < 1e-12);
    assert.ok(Math.abs(customer.aiCostShareOfRevenue! - Number(groupCost) / 1e9 / 10000) < 1e-6);
    // lab is in no group and has no KPI: its cost is a row of its own, with no ratio and the reason said.
    const rest = doc.rows.find((x) => x.group === '(ungrouped)')!;
    assert.deepEqual(rest.apps, ['lab']);
    assert.equal(nanos(rest.costUsd), costOf('lab'));
    assert.deepEqual(rest.outcomes, []);
    assert.equal(rest.aiCostShareOfRevenue, null);
    assert.match(rest.noRatioReason ?? '', /no declared group \(lab\)/);
    // The organisation's revenue share is the group's cost over the group's revenue, never all AI spend over it.
    assert.deepEqual(doc.total.revenueScopes, ['customer']);
    assert.equal(nanos(doc.total.revenueCostUsd!), groupCost);
  });
});

test("per app, a group's KPI is not any one app's: member apps point to the group and the rest say why they have no ratio", async () => {
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { kpiPath, run } = await org(
      dir,
      GROUPS,
      'date,app,group,metric,value\n2026-01-04,,customer,revenue,10000\n2026-01-05,lab,,experiments,4\n',
    );
    const r = await run('unit-economics', '--period', '2026-01', '--kpi', kpiPath, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<Doc>();
    const row = (app: string) => doc.rows.find((x) => x.app === app)!;
    assert.deepEqual(row('search-app').outcomes, []);
    assert.equal(row('search-app').aiCostShareOfRevenue, null);
    assert.match(row('search-app').noRatioReason ?? '', /group customer/);
    assert.match(row('helpdesk').noRatioReason ?? '', /group customer/);
    assert.equal(row('lab').outcomes[0]!.metric, 'experiments');
    assert.equal(row('lab').noRatioReason, undefined);
    // No app reports revenue of its own, so the total has no revenue share either.
    assert.equal(doc.total.aiCostShareOfRevenue, null);
  });
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { kpiPath, run } = await org(
      dir,
      STANDARD_CONFIG,
      'date,app,metric,value\n2026-01-04,lab,runs,3\n',
    );
    const r = await run('unit-economics', '--period', '2026-01', '--kpi', kpiPath, '--json');
    assert.equal(r.code, 0, r.stderr);
    const helpdesk = r.json<Doc>().rows.find((x) => x.app === 'helpdesk')!;
    assert.match(helpdesk.noRatioReason ?? '', /no KPI for app helpdesk, and it is in no declared group/);
  });
});

test('groups are validated with messages that say what to do', async () => {
  await inTempDir('tally-ue-groups-', async (dir) => {
    const cases: [string, RegExp][] = [
      [
        'unitEconomics:\n  groups:\n    a: { apps: [x, y] }\n    b: { apps: [y] }\n',
        /app "y" is in groups a and b: an app's cost counts toward one group only, so remove it from one of them/,
      ],
      [
        'unitEconomics:\n  groups:\n    a: { apps: [] }\n',
        /list the apps whose cost this group's KPI pays for/,
      ],
      [
        'unitEconomics:\n  groups:\n    "a b": { apps: [x] }\n',
        /"a b" is not a group name: use letters, digits/,
      ],
      ['unitEconomics:\n  grups: {}\n', /grups/],
    ];
    for (const [yaml, message] of cases) {
      const { run } = await org(dir, yaml, 'date,app,metric,value\n');
      const r = await run('unit-economics', '--period', '2026-01', '--json');
      assert.notEqual(r.code, 0, yaml);
      assert.match(r.stdout + r.stderr, message, yaml);
    }
  });
});

test('a KPI row naming an undeclared group, or a group and an app, is refused with its line; --by group needs groups', async () => {
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { kpiPath, run } = await org(
      dir,
      GROUPS,
      'date,app,group,metric,value\n2026-01-04,,customer,revenue,1\n2026-01-04,,storefront,revenue,1\n',
    );
    const r = await run('unit-economics', '--period', '2026-01', '--by', 'group', '--kpi', kpiPath);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kpi\.csv:3: group "storefront" is not declared; add it to tally\.yaml/);
    writeFileSync(kpiPath, 'date,app,group,metric,value\n2026-01-04,lab,customer,revenue,1\n');
    const both = await run('unit-economics', '--period', '2026-01', '--kpi', kpiPath);
    assert.match(both.stderr, /kpi\.csv:2: give a group or an app, not both/);
  });
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { run } = await org(dir, STANDARD_CONFIG, 'date,app,metric,value\n');
    const r = await run('unit-economics', '--period', '2026-01', '--by', 'group');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--by group needs declared groups: add to tally\.yaml unitEconomics/);
  });
});

test('unitEconomics.kpiFile is the KPI source when --kpi is not given, relative to the config file', async () => {
  await inTempDir('tally-ue-groups-', async (dir) => {
    const { run } = await org(
      dir,
      `${GROUPS}  kpiFile: kpi.csv\n`,
      'date,group,metric,value\n2026-01-04,customer,revenue,8000\n',
    );
    const r = await run('unit-economics', '--period', '2026-01', '--by', 'group', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<Doc & { kpiSource: string }>();
    assert.equal(doc.kpiSource, join(dir, 'kpi.csv'));
    assert.equal(doc.rows.find((x) => x.group === 'customer')!.outcomes[0]!.value, 8000);
  });
});
