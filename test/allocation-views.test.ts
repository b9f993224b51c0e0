import { test } from 'node:test';
import { duckdbSql } from '../src/store/index.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import {
  insertUsage,
  seedStandardOrg,
  STANDARD_CONFIG,
  withStore,
  inTempDir,
} from './_allocation-fixture.js';

test('chargeback --view finance cuts by cost center with budget use; --view engineering shows model, cache and latency', async () => {
  await inTempDir('tally-views-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, STANDARD_CONFIG);
    await withStore(db, async (s) => {
      await seedStandardOrg(s);
      // One cached answer on gpt4o-std that took 20 ms and cost nothing.
      await insertUsage(s, [
        {
          team: 'support',
          costCenter: 'CC-200',
          app: 'helpdesk',
          deployment: 'gpt4o-std',
          model: 'gpt-4o-2024-08-06',
          at: '2026-01-06T11:00:00Z',
          input: 0,
          output: 0,
          costUsd: '0',
          durationMs: 20,
          cacheHit: true,
        },
      ]);
      await duckdbSql(s).exec(
        `INSERT INTO budgets (id, scope_kind, scope_value, period, amount_nanos, thresholds, hard, created_at)
         VALUES ('b1', 'cost_center', 'CC-100', 'month', 200000000000, '[]', false, now())`,
      );
    });
    const fin = await runCli([
      'chargeback',
      '--db',
      db,
      '--config',
      cfg,
      '--period',
      '2026-01',
      '--view',
      'finance',
      '--json',
    ]);
    assert.equal(fin.code, 0, fin.stderr);
    const f = fin.json<{ by: string; rows: Record<string, number | string | null>[] }>();
    assert.equal(f.by, 'cost-center');
    const cc100 = f.rows.find((r) => r['costCenter'] === 'CC-100')!;
    const cost = 9 + 100 * (4 / 6) + 35;
    assert.ok(Math.abs((cc100['effectiveCostUsd'] as number) - cost) < 1e-6);
    assert.equal(cc100['budgetUsd'], 200);
    assert.equal(cc100['budgetUsedPct'], Math.floor((cost / 200) * 10_000) / 100);
    assert.equal(f.rows.find((r) => r['costCenter'] === 'CC-200')!['budgetUsd'], null);

    const eng = await runCli([
      'chargeback',
      '--db',
      db,
      '--config',
      cfg,
      '--period',
      '2026-01',
      '--view',
      'engineering',
      '--json',
    ]);
    assert.equal(eng.code, 0, eng.stderr);
    const rows = eng.json<{ rows: Record<string, number | string | null>[] }>().rows;
    const std = rows.find((r) => r['deployment'] === 'gpt4o-std')!;
    assert.equal(std['requests'], 3);
    assert.equal(std['cacheHitRate'], Math.round((1 / 3) * 10_000) / 10_000);
    assert.equal(std['tokensPerRequest'], Math.round(((4_000_000 + 1_000_000) / 3) * 10_000) / 10_000);
    assert.equal(std['avgLatencyMs'], Math.round((100 + 100 + 20) / 3));
    assert.equal(std['effectiveCostUsd'], 14);
    assert.equal(std['costSource'], 'export');
    assert.equal(rows.find((r) => r['deployment'] === 'openai-direct')!['costSource'], 'ledger');
  });
});

test('reconcile and unit-economics take --view: finance defaults to days and teams, engineering to deployments and apps', async () => {
  await inTempDir('tally-views-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedStandardOrg);
    const run = async (args: string[]) => {
      const r = await runCli([...args, '--db', db, '--period', '2026-01', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return r.json<{ by: string; view: string; rows: Record<string, unknown>[] }>();
    };
    const fin = await run(['reconcile', '--view', 'finance']);
    assert.equal(fin.by, 'day');
    assert.ok(fin.rows.every((r) => /^2026-01-\d\d$/.test(String(r['day']))));
    const eng = await run(['reconcile', '--view', 'engineering']);
    assert.equal(eng.by, 'deployment');
    const std = eng.rows.find((r) => r['deployment'] === 'gpt4o-std')!;
    assert.equal(std['tokensPerRequest'], (4_000_000 + 1_000_000) / 2);
    assert.equal((await run(['unit-economics', '--view', 'finance'])).by, 'team');
    assert.equal((await run(['unit-economics', '--view', 'engineering'])).by, 'app');
    const bad = await runCli(['reconcile', '--db', db, '--period', '2026-01', '--view', 'ceo']);
    assert.notEqual(bad.code, 0);
  });
});
