import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/core/index.js';
import { PeriodMemo } from '../src/analytics/index.js';
import { main } from '../src/cli/index.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { runKeepingMonths } from '../src/server/index.js';
import { inTempDir, seedStandardOrg, STANDARD_CONFIG, withStore } from './_allocation-fixture.js';
import { focusCsv, LINES } from './ingest-fixtures.js';

const REPORTS: readonly string[][] = [
  ['chargeback', '--period', '2026-01', '--by', 'team'],
  ['chargeback', '--period', '2026-01', '--by', 'app', '--metric', 'billed'],
  ['chargeback', '--period', '2026-01', '--by', 'team', '--basis', 'ledger'],
  ['unit-economics', '--period', '2026-01', '--by', 'team'],
  ['unit-economics', '--period', '2026-01', '--by', 'app'],
  ['forecast', '--to', '2026-02-01', '--horizon', '7'],
  ['forecast', '--to', '2026-02-01', '--horizon', '5', '--scope', 'team=search'],
  ['recommend', '--period', '2026-01'],
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

test('after an ingest through the serving path, every report equals a fresh computation and untouched months are reused', async () => {
  await inTempDir('tally-memo-write-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, STANDARD_CONFIG);
    await withStore(db, seedStandardOrg);
    const opened = await openStore({ path: db });
    // Counts January's cost-group reads: a kept January reads none.
    let januaryReads = 0;
    const store = new Proxy(opened, {
      get(target, key, recv) {
        const v = Reflect.get(target, key, recv) as unknown;
        if (key !== 'costGroups' || typeof v !== 'function') return v;
        return (w: { from: Date }, ...rest: unknown[]) => {
          if (w.from.toISOString().startsWith('2026-01')) januaryReads += 1;
          return (v as (...a: unknown[]) => unknown).call(target, w, ...rest);
        };
      },
    });
    const config = loadConfig({ path: cfg }).config;
    const ingest = async (name: string, csv: string) => {
      const file = join(dir, name);
      writeFileSync(file, csv);
      const argv = ['ingest', file, '--json'];
      const code = await runKeepingMonths(memo, store, argv, () =>
        main(argv, { store, config, memo, stdout: { write: () => true }, stderr: { write: () => true } }),
      );
      assert.equal(code, 0);
    };
    const memo = new PeriodMemo(() => Date.parse('2026-03-15T00:00:00Z'));
    try {
      const check = async (when: string) => {
        for (const argv of REPORTS)
          assert.deepEqual(
            await report(store, cfg, argv, memo),
            await report(store, cfg, argv),
            `${argv.join(' ')} ${when}`,
          );
      };
      await check('before any write');
      // A February export moves the export's end (a later month): January and December stay kept.
      await ingest('feb.csv', focusCsv(LINES, { month: '2026-02' }));
      januaryReads = 0;
      await report(store, cfg, ['chargeback', '--period', '2026-01', '--by', 'team'], memo);
      assert.equal(januaryReads, 0, 'January was not read again after a February ingest');
      await check('after a February ingest');
      // A January export changes January: it is read again, and every report still equals a fresh one.
      await ingest('jan.csv', focusCsv(LINES, { month: '2026-01', scale: 3 }));
      januaryReads = 0;
      const after = await report(store, cfg, ['chargeback', '--period', '2026-01', '--by', 'team'], memo);
      assert.ok(januaryReads > 0, 'January was read again after a January ingest');
      assert.deepEqual(
        after,
        await report(store, cfg, ['chargeback', '--period', '2026-01', '--by', 'team']),
      );
      await check('after a January ingest');
    } finally {
      await opened.close();
    }
  });
});
