import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageEvent } from '../usage-event.js';
import { openDuckDBStore } from './index.js';
import { rollupEvents } from '../_test-rollup-events.js';

const T0 = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const events = (prefix: string, n: number) => rollupEvents(T0, prefix, n);

test('the DuckDB daily rollup answers as the events do through appends, duplicates, WAL loads, deletes and a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-duck-rollup-'));
  const path = join(dir, 's.duckdb');
  const q = {
    from: new Date(T0 - DAY),
    to: new Date(T0 + 5 * DAY),
    by: ['day', 'team', 'app', 'model'] as const,
  };
  try {
    let s = await openDuckDBStore({ path });
    const a = events('demo-a', 600);
    assert.equal(await s.appendUsage(a), 600);
    assert.equal(await s.appendUsage([...a.slice(0, 50), ...events('b', 40), ...events('b', 40)]), 40);
    // A WAL segment replayed twice: stored once.
    const wal = join(dir, 'seg.jsonl');
    const line = (e: UsageEvent) =>
      JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    writeFileSync(wal, events('w', 120).map(line).join('\n') + '\n');
    assert.equal(await s.appendUsageFromWal([wal]), 120);
    assert.equal(await s.appendUsageFromWal([wal]), 0);
    assert.equal(await s.deleteUsageByIdPrefix('demo-'), 600);
    assert.equal(await s.appendUsage(a.slice(0, 30)), 30);
    const check = async () => {
      const viaRollup = await s.aggregateUsage({ ...q, by: [...q.by] });
      assert.ok(viaRollup.length >= 10, `${viaRollup.length} groups`);
      assert.deepEqual(viaRollup, await s.aggregateUsageFromEvents({ ...q, by: [...q.by] }));
      const [n] = await s.query('SELECT count(*) AS n FROM usage_daily WHERE requests = 0');
      assert.equal(n?.['n'], 0);
    };
    await check();
    await s.close();
    s = await openDuckDBStore({ path });
    await check();
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
