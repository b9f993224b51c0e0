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
const KPIS =
  'date,app,group,metric,value\n2026-01-04,,customer,revenue,10000\n2026-01-20,,customer,orders,250\n2026-01-09,lab,,experiments,12\n';

async function org(dir: string) {
  const db = join(dir, 't.duckdb');
  const cfg = join(dir, 'tally.yaml');
  const plain = join(dir, 'plain.yaml');
  const kpiPath = join(dir, 'kpi.csv');
  writeFileSync(cfg, GROUPS);
  writeFileSync(plain, STANDARD_CONFIG);
  writeFileSync(kpiPath, KPIS);
  await withStore(db, seedStandardOrg);
  const run = (config: string, ...args: string[]) => runCli([...args, '--db', db, '--config', config]);
  return { cfg, plain, kpiPath, run };
}

test('KPIs stored with tally kpis import keep their group, so unit economics by group reads them from the store as from the file', async () => {
  await inTempDir('tally-kpis-import-', async (dir) => {
    const { cfg, kpiPath, run } = await org(dir);
    const imported = await run(cfg, 'kpis', 'import', kpiPath, '--json');
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(imported.json<{ rows: number; groups: string[] }>().groups, ['customer']);
    // Importing the same file again replaces its rows rather than doubling them.
    assert.equal((await run(cfg, 'kpis', 'import', kpiPath)).code, 0);
    for (const by of ['group', 'app']) {
      const fromStore = await run(cfg, 'unit-economics', '--period', '2026-01', '--by', by, '--json');
      const fromFile = await run(
        cfg,
        'unit-economics',
        '--period',
        '2026-01',
        '--by',
        by,
        '--kpi',
        kpiPath,
        '--json',
      );
      assert.equal(fromStore.code, 0, fromStore.stderr);
      const a = fromStore.json<{ kpiSource: string; rows: unknown[]; total: unknown }>();
      const b = fromFile.json<{ rows: unknown[]; total: unknown }>();
      assert.equal(a.kpiSource, 'store');
      assert.deepEqual(a.rows, b.rows, `--by ${by}`);
      assert.deepEqual(a.total, b.total, `--by ${by}`);
    }
    const doc = (await run(cfg, 'unit-economics', '--period', '2026-01', '--by', 'group', '--json')).json<{
      rows: { group: string; outcomes: { metric: string; value: number }[] }[];
    }>();
    const customer = doc.rows.find((r) => r.group === 'customer')!;
    assert.deepEqual(customer.outcomes.map((o) => [o.metric, o.value]).sort(), [
      ['orders', 250],
      ['revenue', 10000],
    ]);
  });
});

test('a stored KPI whose group is no longer declared is refused with the YAML to add, never dropped silently', async () => {
  await inTempDir('tally-kpis-undeclared-', async (dir) => {
    const { cfg, plain, kpiPath, run } = await org(dir);
    assert.equal((await run(cfg, 'kpis', 'import', kpiPath)).code, 0);
    const r = await run(plain, 'unit-economics', '--period', '2026-01', '--by', 'app', '--json');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /group "customer", which is not declared/);
    assert.match(r.stderr, /unitEconomics: \{ groups: \{ customer:/);
    // The file is checked before anything is stored, as --kpi checks it.
    const refused = await run(plain, 'kpis', 'import', kpiPath);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /group "customer" is not declared/);
  });
});
