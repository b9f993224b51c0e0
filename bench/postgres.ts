/**
 * The PostgreSQL store against its targets (issue 12), on a throwaway local cluster (test/postgres-cluster.ts) or
 * BENCH_PG_URL (a postgres:// URL of an empty database you own):
 *
 * 1. Ledger flush: events/s of `appendUsage` (COPY into staging + INSERT ... ON CONFLICT) in batches of
 *    BENCH_BATCH (default 5,000: a gateway flushing every second at 5,000 req/s), BENCH_FLUSH_EVENTS in all
 *    (default 500,000), into a table that grows as it goes: "sustained" is the whole run's rate.
 * 2. Chargeback's store work for one month of BENCH_EVENTS (default 1,000,000; comma-separate sizes, e.g.
 *    1000000,10000000): the ledger aggregate by its eight dimensions plus the cost-row groups, the two named
 *    operations allocation reads (analytics/allocate), on PostgreSQL and on DuckDB, median of 3 runs.
 *
 *   node --import tsx bench/postgres.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeUsageEvent, openDuckDBStore, openPostgresStore, type CostStore } from '../src/store/index.js';
import { startPostgres, type PgCluster } from '../test/postgres-cluster.js';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 5_000);
const FLUSH_EVENTS = Number(process.env['BENCH_FLUSH_EVENTS'] ?? 500_000);
const SIZES = (process.env['BENCH_EVENTS'] ?? '1000000').split(',').map(Number);
const MONTH = { from: new Date(Date.UTC(2026, 10, 1)), to: new Date(Date.UTC(2026, 11, 1)) };

let cluster: PgCluster | null = null;
async function database(): Promise<string> {
  if (process.env['BENCH_PG_URL']) return process.env['BENCH_PG_URL'];
  cluster ??= await startPostgres();
  return cluster.database();
}

async function flush(): Promise<void> {
  const store = await openPostgresStore({ url: await database() });
  let next = 0;
  let at = MONTH.from.getTime();
  const batch = () =>
    Array.from({ length: BATCH }, () =>
      makeUsageEvent({
        id: `e-${next++}-${Math.random().toString(36).slice(2, 10)}`,
        startTime: (at += 3),
        model: 'gpt-4o-mini',
        team: `team-${next % 20}`,
        app: `app-${next % 50}`,
        keyId: `k-${next % 200}`,
        tags: { conversation_id: `c${next % 1000}` },
        inputTokens: 300,
        outputTokens: 120,
        costNanos: 123_456n,
        listCostNanos: 150_000n,
      }),
    );
  let slowest = Infinity;
  const t0 = performance.now();
  for (let done = 0; done < FLUSH_EVENTS; done += BATCH) {
    const events = batch(); // built outside the timed flush: the WAL already holds them
    const t = performance.now();
    await store.appendUsage(events);
    slowest = Math.min(slowest, BATCH / ((performance.now() - t) / 1000));
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `flush: ${FLUSH_EVENTS.toLocaleString('en-US')} events in batches of ${BATCH.toLocaleString('en-US')}: ` +
      `${Math.round(FLUSH_EVENTS / s).toLocaleString('en-US')} events/s sustained (incl. building the events), ` +
      `slowest batch ${Math.round(slowest).toLocaleString('en-US')} events/s`,
  );
  await store.close();
}

/** One month of synthetic usage, generated inside the database (portable SQL over generate_series). */
const fillSql = (
  n: number,
) => `INSERT INTO usage_events (id, start_time, duration_ms, key_id, team, app, environment,
  cost_center, tags, provider, upstream, deployment, request_model, model, deployment_type, operation, streamed,
  input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, usage_source, http_status, cache_outcome,
  attempts, cost_nanos, list_cost_nanos, saved_cost_nanos)
SELECT 'b-' || CAST(g AS VARCHAR), CAST('2026-11-01 00:00:00+00' AS TIMESTAMPTZ) + (g % 2592000) * INTERVAL '1 second',
  100, 'k-' || CAST(g % 200 AS VARCHAR), 'team-' || CAST(g % 20 AS VARCHAR), 'app-' || CAST(g % 50 AS VARCHAR),
  'env-' || CAST(g % 3 AS VARCHAR), 'cc-' || CAST(g % 10 AS VARCHAR), CAST('{}' AS JSON), 'azure-openai',
  'up-' || CAST(g % 3 AS VARCHAR), 'dep-' || CAST(g % 10 AS VARCHAR), 'gpt-4o', 'model-' || CAST(g % 5 AS VARCHAR),
  'global-standard', 'chat', false, 300, 0, 120, 0, 'reported', 200, 'miss', 1, 100000 + g % 1000, 150000, 0
FROM generate_series(0, ${n - 1}) AS s(g)`;

async function timeChargeback(store: CostStore): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await store.aggregateUsage({
      ...MONTH,
      by: ['team', 'cost_center', 'app', 'environment', 'upstream', 'deployment', 'model', 'deployment_type'],
    });
    await store.costGroups(MONTH, []);
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[1]!;
}

async function chargeback(n: number): Promise<void> {
  // Filling 10M rows in one statement takes minutes: no statement timeout for the benchmark.
  const pgs = await openPostgresStore({ url: await database(), statementTimeoutMs: 0 });
  let t = performance.now();
  await pgs.exec(fillSql(n));
  await pgs.exec('ANALYZE usage_events');
  const pgFill = (performance.now() - t) / 1000;
  const pgMs = await timeChargeback(pgs);
  await pgs.close();
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-pg-'));
  const duck = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
  t = performance.now();
  await duck.exec(fillSql(n));
  const duckFill = (performance.now() - t) / 1000;
  const duckMs = await timeChargeback(duck);
  await duck.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `chargeback (store work) on one month of ${n.toLocaleString('en-US')} events: PostgreSQL ${Math.round(pgMs)} ms, ` +
      `DuckDB ${Math.round(duckMs)} ms (median of 3; filled in ${pgFill.toFixed(1)} s / ${duckFill.toFixed(1)} s)`,
  );
}

try {
  await flush();
  for (const n of SIZES) await chargeback(n);
} finally {
  await (cluster as PgCluster | null)?.stop();
}
