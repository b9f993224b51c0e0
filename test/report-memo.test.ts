import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/core/index.js';
import { PeriodMemo } from '../src/analytics/index.js';
import { main } from '../src/cli/index.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { inTempDir, seedStandardOrg, STANDARD_CONFIG, withStore } from './_allocation-fixture.js';

const REPORTS: readonly string[][] = [
  ['chargeback', '--period', '2026-01', '--by', 'team'],
  ['chargeback', '--period', '2026-01', '--by', 'app', '--metric', 'billed'],
  ['chargeback', '--period', '2026-01', '--by', 'team', '--basis', 'ledger'],
  ['unit-economics', '--period', '2026-01', '--by', 'team'],
  ['unit-economics', '--period', '2026-01', '--by', 'app'],
  ['forecast', '--to', '2026-02-01', '--horizon', '7'],
  ['forecast', '--to', '2026-02-01', '--horizon', '5', '--scope', 'team=search'],
];

async function report(store: CostStore, configPath: string, argv: string[], memo?: PeriodMemo) {
  let out = '';
  const code = await main([...argv, '--json'], {
    store,
    config: loadConfig({ path: configPath }).config,
    ...(memo ? { memo } : {}),
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
  });
  assert.equal(code, 0, `${argv.join(' ')}: ${out}`);
  return JSON.parse(out) as unknown;
}

test('reports sharing closed months print exactly what they print alone, and shared months are reused', async () => {
  await inTempDir('tally-memo-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, STANDARD_CONFIG);
    await withStore(db, seedStandardOrg);
    const store = await openStore({ path: db });
    try {
      const memo = new PeriodMemo(() => Date.parse('2026-03-01T00:00:00Z'));
      for (const argv of REPORTS) {
        const alone = await report(store, cfg, argv);
        assert.deepEqual(
          await report(store, cfg, argv, memo),
          alone,
          `${argv.join(' ')} computing its months`,
        );
        assert.deepEqual(await report(store, cfg, argv, memo), alone, `${argv.join(' ')} from shared months`);
      }
      assert.ok(memo.size > 0, 'closed months were shared');
      // The month in progress is never shared.
      const now = new PeriodMemo(() => Date.parse('2026-01-20T00:00:00Z'));
      await report(store, cfg, ['chargeback', '--period', '2026-01', '--by', 'team'], now);
      assert.equal(now.size, 1, 'only December 2025, the month before, is closed');
    } finally {
      await store.close();
    }
  });
});
