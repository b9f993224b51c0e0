/**
 * `npm run bench:chargeback`: `tally chargeback --period 2026-11 --by team` on one month of N usage events, on
 * PostgreSQL and on DuckDB (issue 12's target: 10M events under 5 s on PostgreSQL, under 2 s on DuckDB).
 *
 * The month is written through the store's bulk path (`appendUsage`, what the ledger's flush calls) in batches
 * of 50,000, time-ordered within each step like a gateway's flushes, with a mix of 12 teams, 36 apps, 3
 * environments, 240 keys, 9 models on 9 deployments, errors, cache hits and streamed requests. The stores grow
 * step by step (each step spreads its events over the whole month), and at each size the report runs in-process
 * through the CLI's own `main` (command parsing, allocation, the JSON document; no process start-up): once cold,
 * then BENCH_RUNS more (default 3), median reported.
 *
 *   BENCH_SIZES=1000000,3000000,10000000 npm run bench:chargeback
 *   BENCH_PG_URL=postgres://…/db   (else a throwaway local cluster, test/postgres-cluster.ts)
 *   BENCH_DUCKDB=/path/bench.duckdb  (else a temporary file)
 *   BENCH_BACKENDS=postgres,duckdb
 *   BENCH_FILL=sql  (each database generates the month itself, 1M rows a statement: fillSql below)
 *
 * With BENCH_PG_URL and BENCH_DUCKDB the stores are kept: a later run tops them up only to the sizes asked for
 * (a store already holding a size is timed as it is), so the report can be re-timed without refilling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/index.js';
import { configSchema, newId } from '../src/core/index.js';
import {
  type DuckDBStore,
  makeUsageEvent,
  openDuckDBStore,
  openPostgresStore,
  type CostStore,
  type UsageEvent,
} from '../src/store/index.js';
import { startPostgres, type PgCluster } from '../test/postgres-cluster.js';
import { clusterCpuMs, postmasterOf } from './_proc.js';

const SIZES = (process.env['BENCH_SIZES'] ?? '1000000,3000000,10000000').split(',').map(Number);
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'postgres,duckdb').split(',');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const BATCH = 50_000;
const FROM = Date.UTC(2026, 10, 1);
const MONTH_MS = Date.UTC(2026, 11, 1) - FROM;

/** A small deterministic generator (mulberry32), so every run writes the same month. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const MODELS = [
  // model, deployment type, nanos per input token, per output token
  ['gpt-4o-2024-08-06', 'global-standard', 2_500, 10_000],
  ['gpt-4o-mini-2024-07-18', 'global-standard', 150, 600],
  ['gpt-4.1-2025-04-14', 'data-zone', 2_200, 8_800],
  ['gpt-4.1-mini-2025-04-14', 'global-standard', 400, 1_600],
  ['o3-mini-2025-01-31', 'regional', 1_100, 4_400],
  ['gpt-4o-2024-11-20', 'provisioned', 0, 0],
  ['text-embedding-3-small', 'global-standard', 20, 0],
  ['gpt-4o-mini-ft', 'fine-tuned', 300, 1_200],
  ['o4-mini-2025-04-16', 'batch', 550, 2_200],
] as const;
const TEAMS = Array.from({ length: 12 }, (_, i) => `team-${i}`);
const ENVS = ['prod', 'staging', 'dev'];
const KEYS = Array.from({ length: 240 }, (_, k) => ({
  id: `key-${k}`,
  team: TEAMS[k % 12]!,
  app: `app-${k % 36}`,
  environment: ENVS[k % 3]!,
  costCenter: `cc-${(k % 12) >> 1}`,
}));

/** `n` events spread over the month in time order, the `step`-th slice of the bench's ledger. */
function* monthOfEvents(n: number, step: number): Generator<UsageEvent[]> {
  const rnd = random(step + 1);
  let batch: UsageEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at = FROM + Math.floor(((i + rnd()) * MONTH_MS) / n);
    const key = KEYS[Math.floor(rnd() ** 1.5 * KEYS.length)]!; // a few heavy keys, a long tail
    const m = Math.floor(rnd() * rnd() * MODELS.length);
    const [model, deploymentType, inPrice, outPrice] = MODELS[m]!;
    const input = 200 + Math.floor(rnd() * 4_000);
    const output = model.startsWith('text-') ? 0 : 20 + Math.floor(rnd() * 800);
    const hit = rnd() < 0.05;
    const status = rnd() < 0.01 ? 429 : 200;
    const cost = hit || status !== 200 ? 0n : BigInt(input * inPrice + output * outPrice);
    batch.push(
      makeUsageEvent({
        id: newId(at),
        startTime: at,
        durationMs: 200 + Math.floor(rnd() * 3_000),
        keyId: key.id,
        team: key.team,
        app: key.app,
        environment: key.environment,
        costCenter: key.costCenter,
        tags: { feature: `f${m % 4}` },
        upstream: `aoai-${m % 3}`,
        deployment: `dep-${m}-${m % 2 ? 'eu' : 'us'}`,
        requestModel: model,
        model,
        deploymentType,
        streamed: rnd() < 0.4,
        inputTokens: input,
        cachedInputTokens: rnd() < 0.2 ? Math.floor(input / 2) : 0,
        outputTokens: output,
        httpStatus: status,
        cacheOutcome: hit ? 'hit-exact' : 'miss',
        costNanos: cost,
        listCostNanos: cost + cost / 10n,
        savedCostNanos: hit ? BigInt(input * inPrice) : 0n,
        priceVersion: '2026-11-01',
      }),
    );
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const load = () => loadavg()[0]!.toFixed(1);
const config = configSchema.parse({});

/** The postmaster of each PostgreSQL store, whose cluster's CPU a run counts beside this process's. */
const postmasters = new Map<CostStore, string>();

/**
 * Runs the CLI's chargeback on `store`; returns wall milliseconds, CPU milliseconds (this process's threads, DuckDB's
 * included, plus the PostgreSQL cluster's processes) and the printed total.
 */
async function chargeback(store: CostStore): Promise<{ ms: number; cpuMs: number; total: string }> {
  let out = '';
  const pm = postmasters.get(store);
  const pg0 = pm ? clusterCpuMs(pm) : 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const code = await main(['chargeback', '--period', '2026-11', '--by', 'team', '--json'], {
    store,
    config,
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: () => true },
  });
  const ms = performance.now() - t;
  const c = process.cpuUsage(cpu);
  const cpuMs = (c.user + c.system) / 1000 + (pm ? clusterCpuMs(pm) - pg0 : 0);
  if (code !== 0) throw new Error(`chargeback exited ${code}`);
  return { ms, cpuMs, total: String((JSON.parse(out) as { totalCostUsd: unknown }).totalCostUsd) };
}

/**
 * The same kind of month written by the database itself (portable SQL over generate_series, both backends):
 * events `first` to `first + n - 1`, start times scattered over the month, the same teams, apps, keys and models
 * as monthOfEvents (60% of requests on 24 keys, half on three models), 1% errors, 5% cache hits. For sizes the
 * shared machine cannot push through Node in the time at hand (BENCH_FILL=sql).
 */
function fillSql(first: number, n: number): string {
  const model = (col: number) =>
    `CASE m ${MODELS.map((row, i) => `WHEN ${i} THEN ${typeof row[col] === 'string' ? `'${row[col]}'` : row[col]}`).join(' ')} END`;
  return `INSERT INTO usage_events (id, start_time, duration_ms, key_id, team, app, environment, cost_center, tags,
  provider, upstream, deployment, request_model, model, deployment_type, operation, streamed, input_tokens,
  cached_input_tokens, output_tokens, reasoning_tokens, usage_source, http_status, cache_outcome, attempts,
  cost_nanos, list_cost_nanos, saved_cost_nanos, price_version)
SELECT 'sql-' || CAST(g AS VARCHAR), CAST('2026-11-01 00:00:00+00' AS TIMESTAMPTZ)
    + ((g * 7919) % 2592000) * INTERVAL '1 second' + (g % 1000) * INTERVAL '1 millisecond',
  200 + (g * 13) % 3000, 'key-' || CAST(k AS VARCHAR), 'team-' || CAST(k % 12 AS VARCHAR),
  'app-' || CAST(k % 36 AS VARCHAR), CASE k % 3 WHEN 0 THEN 'prod' WHEN 1 THEN 'staging' ELSE 'dev' END,
  'cc-' || CAST((k % 12) % 6 AS VARCHAR), CAST('{"feature":"f' || CAST(m % 4 AS VARCHAR) || '"}' AS JSON),
  'azure-openai', 'aoai-' || CAST(m % 3 AS VARCHAR),
  'dep-' || CAST(m AS VARCHAR) || CASE m % 2 WHEN 1 THEN '-eu' ELSE '-us' END, ${model(0)}, ${model(0)}, ${model(1)},
  'chat', g % 5 < 2, input, CASE WHEN g % 5 = 3 THEN input % 1000 ELSE 0 END, output, 0, 'reported',
  CASE WHEN g % 100 = 7 THEN 429 ELSE 200 END, CASE WHEN g % 20 = 1 THEN 'hit-exact' ELSE 'miss' END, 1,
  cost, cost + cost % 1000, CASE WHEN g % 20 = 1 THEN CAST(input AS BIGINT) * ${model(2)} ELSE 0 END, '2026-11-01'
FROM (
  SELECT g, k, m, input, output,
    CASE WHEN g % 20 = 1 OR g % 100 = 7 THEN 0
      ELSE CAST(input AS BIGINT) * ${model(2)} + CAST(output AS BIGINT) * ${model(3)} END AS cost
  FROM (
    SELECT g, k, m, 200 + (g * 7) % 4000 AS input, CASE WHEN m = 6 THEN 0 ELSE 20 + (g * 11) % 800 END AS output
    FROM (
      SELECT g, CASE WHEN g % 10 < 6 THEN (g * 48271) % 24 ELSE (g * 48271) % 240 END AS k,
        CASE WHEN g % 4 < 2 THEN (g * 13) % 3 ELSE (g * 31) % 9 END AS m
      FROM generate_series(CAST(${first} AS BIGINT), CAST(${first + n - 1} AS BIGINT)) AS s(g)
    ) AS a
  ) AS b
) AS c`;
}

/** Both stores run SQL (the bench's fill only; reports go through named operations). */
type Store = CostStore & { exec(sql: string): Promise<void> };

const FILL = process.env['BENCH_FILL'] ?? 'append';

/** Appends `n` more events to every store (the same events), and prints each backend's append rate. */
async function fill(stores: Record<string, Store>, have: number, n: number, step: number): Promise<void> {
  const ms: Record<string, number> = Object.fromEntries(BACKENDS.map((b) => [b, 0]));
  if (FILL === 'sql')
    for (let at = have; at < have + n; at += 1_000_000)
      for (const b of BACKENDS) {
        const t = performance.now();
        const store = stores[b]!;
        await store.exec(fillSql(at, Math.min(1_000_000, have + n - at)));
        // DuckDB keeps its daily rollup at the named writes; SQL of our own must re-sum it (PostgreSQL's
        // triggers see this INSERT).
        if (store.backend === 'duckdb') await (store as DuckDBStore).rebuildUsageRollup();
        ms[b]! += performance.now() - t;
      }
  else
    for (const batch of monthOfEvents(n, step)) {
      for (const b of BACKENDS) {
        const t = performance.now();
        await stores[b]!.appendUsage(batch);
        ms[b]! += performance.now() - t;
      }
    }
  for (const b of BACKENDS) {
    const rate = Math.round(n / (ms[b]! / 1000)).toLocaleString('en-US');
    console.log(
      `${b}: +${n.toLocaleString('en-US')} events ${FILL === 'sql' ? 'inserted in SQL' : 'appended'} at ${rate} events/s (load ${load()})`,
    );
  }
}

let cluster: PgCluster | null = null;
const dir = mkdtempSync(join(tmpdir(), 'tally-bench-chargeback-'));
try {
  const stores: Record<string, Store> = {};
  for (const b of BACKENDS) {
    if (b === 'postgres') {
      const url = process.env['BENCH_PG_URL'] ?? (await (cluster = await startPostgres()).database());
      const pg = await openPostgresStore({ url, statementTimeoutMs: 0 });
      const [row] = await pg.query('SELECT pg_backend_pid() AS pid');
      postmasters.set(pg, postmasterOf(Number(row?.['pid'])));
      stores[b] = pg;
    } else
      stores[b] = await openDuckDBStore({ path: process.env['BENCH_DUCKDB'] ?? join(dir, 'bench.duckdb') });
    await chargeback(stores[b]!); // loads the command's modules, so that "cold" means the store's cold
  }
  const counts = await Promise.all(BACKENDS.map(async (b) => (await stores[b]!.usageExtent()).events));
  if (new Set(counts).size > 1)
    throw new Error(`the stores hold different event counts: ${counts.join(', ')}`);
  let have = counts[0] ?? 0;
  for (const [step, size] of SIZES.entries()) {
    if (size > have) await fill(stores, have, size - have, step);
    have = Math.max(have, size);
    for (const b of BACKENDS) {
      const before = load();
      const cold = await chargeback(stores[b]!);
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await chargeback(stores[b]!));
      const warm = runs.map((r) => r.ms).sort((x, y) => x - y);
      const cpu = runs.map((r) => r.cpuMs).sort((x, y) => x - y);
      console.log(
        `${b} ${have.toLocaleString('en-US')} events: chargeback cold ${Math.round(cold.ms)} ms, median of ` +
          `${RUNS} ${Math.round(warm[RUNS >> 1]!)} ms (min ${Math.round(warm[0]!)}, max ${Math.round(warm.at(-1)!)})` +
          `, CPU ${Math.round(cold.cpuMs)} ms cold, median ${Math.round(cpu[RUNS >> 1]!)} ms; total $${cold.total};` +
          ` load ${before} -> ${load()}`,
      );
    }
  }
  for (const s of Object.values(stores)) await s.close();
} finally {
  await (cluster as PgCluster | null)?.stop();
  rmSync(dir, { recursive: true, force: true });
}
