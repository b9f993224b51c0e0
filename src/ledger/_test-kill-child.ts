// Test helper: append events durably with the store flush disabled, report the count, then wait to be killed.
import { join } from 'node:path';
import { openDuckDBStore } from '../store/index.js';
import { Ledger, makeUsageEvent } from './index.js';

const dir = process.argv[2]!;
const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
await store.close();
// Open against a store whose flush never runs (huge interval and batch), so every event lives only in the WAL.
const mem = await openDuckDBStore({ path: ':memory:' });
const { ledger } = await Ledger.open({
  store: mem,
  dir: join(dir, 'wal'),
  flushIntervalMs: 3_600_000,
  flushBatch: 1e9,
});
const events = Array.from({ length: 5000 }, (_, i) =>
  makeUsageEvent({ id: `k-${i}`, startTime: Date.UTC(2026, 0, 1) + i, model: 'gpt-4o', costNanos: 1n }),
);
await ledger.appendMany(events);
process.stdout.write(`acked ${ledger.acknowledged}\n`);
setInterval(() => undefined, 1000);
