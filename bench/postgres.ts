/**
 * `npm run bench:postgres`: the ledger flush into PostgreSQL (issue 12's target: at least 50,000 events/s
 * sustained), on a throwaway local cluster (test/postgres-cluster.ts: fsync off, as for tests) or BENCH_PG_URL (a
 * postgres:// URL of an empty database you own). `appendUsage` (what the ledger's flush calls with the events it
 * holds) in batches of BENCH_BATCH (default 5,000: a gateway flushing every second at 5,000 req/s),
 * BENCH_FLUSH_EVENTS in all (default 500,000), into a table that grows as it goes, gateway-shaped events (UUIDv7
 * ids, 20 teams, 50 apps, 200 keys, a tag). Prints the wall-clock rate of the flushes (events are built
 * beforehand: the ledger holds them already), and the CPU per event of this process (encoding, the driver) and of
 * the PostgreSQL cluster's processes (parsing, inserting, indexes, the rollup trigger), from /proc.
 * Chargeback at 1M-10M events is bench/chargeback.ts.
 *
 *   node --import tsx bench/postgres.ts
 */
import { loadavg } from 'node:os';
import { newId } from '../src/core/index.js';
import { makeUsageEvent, openPostgresStore, type UsageEvent } from '../src/store/index.js';
import { startPostgres, type PgCluster } from '../test/postgres-cluster.js';
import { clusterCpuMs, postmasterOf } from './_proc.js';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 5_000);
const FLUSH_EVENTS = Number(process.env['BENCH_FLUSH_EVENTS'] ?? 500_000);
const FROM = Date.UTC(2026, 10, 1);

let cluster: PgCluster | null = null;
async function database(): Promise<string> {
  if (process.env['BENCH_PG_URL']) return process.env['BENCH_PG_URL'];
  cluster ??= await startPostgres();
  return cluster.database();
}

function batch(first: number): UsageEvent[] {
  return Array.from({ length: BATCH }, (_, j) => {
    const i = first + j;
    const at = FROM + i * 3;
    return makeUsageEvent({
      id: newId(at),
      startTime: at,
      durationMs: 300 + (i % 900),
      model: 'gpt-4o-mini-2024-07-18',
      requestModel: 'gpt-4o-mini',
      team: `team-${i % 20}`,
      app: `app-${i % 50}`,
      keyId: `k-${i % 200}`,
      environment: 'prod',
      upstream: 'aoai-eastus',
      deployment: 'gpt-4o-mini',
      tags: { conversation_id: `c${i % 1000}` },
      inputTokens: 300 + (i % 700),
      outputTokens: 120,
      costNanos: 123_456n,
      listCostNanos: 150_000n,
      priceVersion: '2026-11-01',
    });
  });
}

async function flush(): Promise<void> {
  const store = await openPostgresStore({ url: await database() });
  const load = loadavg()[0]!.toFixed(1);
  let wallMs = 0;
  let slowest = Infinity;
  let nodeUs = 0;
  const [row] = await store.query('SELECT pg_backend_pid() AS pid');
  const postmaster = postmasterOf(Number(row?.['pid']));
  const pg0 = clusterCpuMs(postmaster);
  for (let done = 0; done < FLUSH_EVENTS; done += BATCH) {
    const events = batch(done);
    const cpu = process.cpuUsage();
    const t = performance.now();
    await store.appendUsage(events);
    const ms = performance.now() - t;
    const c = process.cpuUsage(cpu);
    nodeUs += c.user + c.system;
    wallMs += ms;
    slowest = Math.min(slowest, BATCH / (ms / 1000));
  }
  const pgUs = (clusterCpuMs(postmaster) - pg0) * 1000;
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `flush: ${rate(FLUSH_EVENTS)} events in batches of ${rate(BATCH)}: ${rate(FLUSH_EVENTS / (wallMs / 1000))} ` +
      `events/s sustained, slowest batch ${rate(slowest)} events/s; CPU per event: Node ` +
      `${(nodeUs / FLUSH_EVENTS).toFixed(1)} µs, PostgreSQL ${(pgUs / FLUSH_EVENTS).toFixed(1)} µs ` +
      `(the cluster's processes); load average ${load} -> ${loadavg()[0]!.toFixed(1)}`,
  );
  await store.close();
}

try {
  await flush();
} finally {
  await (cluster as PgCluster | null)?.stop();
}
