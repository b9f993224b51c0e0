/** The ledger on a PostgreSQL store: a WAL replayed while its writer still flushes stores each event once. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, makeUsageEvent } from '../src/ledger/index.js';
import { openPostgresStore } from '../src/store/index.js';
import { startPostgres, skipWithoutPostgres, type PgCluster } from './postgres-cluster.js';

const T0 = Date.UTC(2026, 10, 1);

describe('ledger into PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let dir: string;
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'tally-ledger-pg-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('events replayed from a WAL and flushed again by the process that wrote them are stored once', async () => {
    const store = await openPostgresStore({ url: await cluster.database() });
    try {
      const events = Array.from({ length: 300 }, (_, i) =>
        makeUsageEvent({ id: `w${i}`, startTime: T0 + i, model: 'gpt-4o', costNanos: 1_000_001n }),
      );
      const { ledger: first } = await Ledger.open({ store, dir, flushIntervalMs: 60_000 });
      await first.appendMany(events);
      // A second process starting on the same WAL (a restart after kill -9) replays what it finds...
      const { ledger: second, replayed } = await Ledger.open({ store, dir, flushIntervalMs: 60_000 });
      assert.equal(replayed, 300);
      // ...and the first one's own flush of the same events adds nothing.
      await first.close();
      await second.close();
      const [agg] = await store.aggregateUsage({ from: new Date(T0), to: new Date(T0 + 1000), by: [] });
      assert.equal(agg?.requests, 300);
      assert.equal(agg?.costNanos, 300_000_300n);
    } finally {
      await store.close();
    }
  });
});
