import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UsageEvent } from '../usage-event.js';
import { openDuckDBStore, type DuckDBStore } from './index.js';
import { rollupEvents } from '../_test-rollup-events.js';

const T0 = Date.UTC(2026, 4, 1);
const DAY = 86_400_000;
const line = (e: UsageEvent) =>
  JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** The rollup answers as the events do, no rollup row is left at zero requests, and no temp table is left. */
async function assertConsistent(s: DuckDBStore, events: number): Promise<void> {
  const q = { from: new Date(T0 - DAY), to: new Date(T0 + 5 * DAY), by: ['day', 'team', 'app', 'model'] };
  const viaRollup = await s.aggregateUsage({ ...q, by: [...q.by] } as never);
  assert.deepEqual(viaRollup, await s.aggregateUsageFromEvents({ ...q, by: [...q.by] } as never));
  const [row] = await s.query(
    `SELECT (SELECT count(*) FROM usage_events) AS n, (SELECT count(DISTINCT id) FROM usage_events) AS ids,
       (SELECT count(*) FROM usage_daily WHERE requests = 0) AS zero,
       (SELECT count(*) FROM duckdb_tables() WHERE temporary) AS temps`,
  );
  assert.deepEqual(
    {
      n: Number(row?.['n']),
      ids: Number(row?.['ids']),
      zero: Number(row?.['zero']),
      temps: Number(row?.['temps']),
    },
    { n: events, ids: events, zero: 0, temps: 0 },
  );
}

test('WAL loads store each event once and keep the rollup equal to the events, live batches and replays alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-wal-load-'));
  let seg = 0;
  const write = (events: readonly UsageEvent[], tail = '\n') => {
    const p = join(dir, `wal-${seg++}.jsonl`);
    writeFileSync(p, events.map(line).join('\n') + tail);
    return p;
  };
  const s = await openDuckDBStore({ path: join(dir, 's.duckdb') });
  try {
    // Several live flushes: every batch new.
    const a = rollupEvents(T0, 'a', 300);
    for (let i = 0; i < 3; i++)
      assert.equal(await s.appendUsageFromWal([write(a.slice(i * 100, i * 100 + 100))]), 100);
    await assertConsistent(s, 300);
    // A crash after the store's commit and before the WAL's release: the replay holds stored events and new ones.
    const b = rollupEvents(T0, 'b', 80);
    assert.equal(await s.appendUsageFromWal([write(a.slice(250)), write(b)]), 80);
    await assertConsistent(s, 380);
    // An event repeated within one batch (a segment read twice) counts once.
    const c = rollupEvents(T0, 'c', 40);
    assert.equal(await s.appendUsageFromWal([write(c), write(c.slice(0, 10))]), 40);
    await assertConsistent(s, 420);
    // A torn last line (a crash mid-write) is skipped; the complete lines before it are stored.
    const d = rollupEvents(T0, 'd', 30);
    const torn = write(d, '\n{"id":"d-torn","startT');
    assert.equal(await s.appendUsageFromWal([torn]), 30);
    await assertConsistent(s, 450);
    // The same segment again: nothing new, and the rollup unchanged.
    assert.equal(await s.appendUsageFromWal([torn]), 0);
    await assertConsistent(s, 450);
    // A complete line that cannot be read fails the whole load: nothing of the batch is stored.
    const bad = write(rollupEvents(T0, 'e', 5), '\nnot json\n');
    await assert.rejects(s.appendUsageFromWal([bad]), /could not be loaded/);
    await assertConsistent(s, 450);
    // Deleting events subtracts them from the rollup, and days that come to nothing go.
    assert.equal(await s.deleteUsageByIdPrefix('a'), 300);
    await assertConsistent(s, 150);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
