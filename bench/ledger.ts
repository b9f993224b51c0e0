/**
 * `npm run bench:ledger`: events per second appended durably through the Ledger (WAL, group-committed fdatasync)
 * and flushed into DuckDB, checked by counting the rows afterwards. Also times the two halves on their own (WAL
 * only; store.appendUsage only) so a slow total points at the part that is slow.
 * Env: BENCH_EVENTS (default 1000000: a sustained rate, not start-up and final-flush costs), BENCH_CONCURRENCY (appends in flight, default 5000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, encodeEvent, makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { openDuckDBStore } from '../src/store/index.js';

const N = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 5_000);
const TEAMS = ['support', 'search', 'claims', 'engineering', 'marketing'];
const MODELS = ['gpt-4o-mini-2024-07-18', 'gpt-4.1-2025-04-14', 'o4-mini-2025-04-16'];

/** Realistic gateway events: every field a metered request carries, varied across teams, apps and models. */
function makeEvents(prefix: string, n: number): UsageEvent[] {
  const t0 = Date.UTC(2026, 10, 1);
  return Array.from({ length: n }, (_, i) =>
    makeUsageEvent({
      id: `${prefix}-${i.toString(36)}-${(i * 2654435761) >>> 0}`,
      startTime: t0 + i * 37,
      durationMs: 400 + (i % 900),
      ttftMs: i % 3 === 0 ? 180 + (i % 200) : null,
      keyId: `vk-${i % 40}`,
      team: TEAMS[i % TEAMS.length]!,
      app: `app-${i % 12}`,
      environment: i % 10 === 0 ? 'dev' : 'prod',
      costCenter: `CC-${1000 + (i % 5)}`,
      endUser: `u${i % 5000}`,
      upstream: 'aoai-prod',
      deployment: `dep-${i % 6}`,
      model: MODELS[i % MODELS.length]!,
      region: 'eastus2',
      streamed: i % 2 === 0,
      inputTokens: 800 + (i % 3000),
      cachedInputTokens: (i % 4) * 128,
      outputTokens: 100 + (i % 700),
      reasoningTokens: i % 3 === 2 ? 50 : 0,
      costNanos: BigInt(100_000 + i),
      listCostNanos: BigInt(110_000 + i),
      priceVersion: 'catalog-2026.10.1',
    }),
  );
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
/** CPU time of this process (all threads, DuckDB's included), ms: on a shared machine wall time alone misleads. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-ledger-'));
  try {
    // 1. The full path: durable append through the ledger, background flushes, final flush, rows counted.
    const store = await openDuckDBStore({ path: join(dir, 'ledger.duckdb') });
    const events = makeEvents('L', N);
    const { ledger } = await Ledger.open({ store, dir: join(dir, 'wal') });
    const load = loadavg()[0]!;
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < N; i += CONCURRENCY) await ledger.appendMany(events.slice(i, i + CONCURRENCY));
    const tDurable = performance.now() - t0;
    await ledger.close();
    const tTotal = performance.now() - t0;
    const cTotal = cpuMs() - c0;
    const stored = await store.countUsage(new Date(0), new Date(Date.UTC(2100, 0, 1)));
    if (stored !== N) throw new Error(`stored ${stored} of ${N} events`);

    // 2. The halves on their own: JSON encoding (the WAL's CPU) and store.appendUsage in 50k chunks.
    const enc0 = performance.now();
    let bytes = 0;
    for (const e of events) bytes += encodeEvent(e).length + 1;
    const tEncode = performance.now() - enc0;
    const raw = await openDuckDBStore({ path: join(dir, 'raw.duckdb') });
    const more = makeEvents('R', N);
    const s0 = performance.now();
    const sc0 = cpuMs();
    for (let i = 0; i < N; i += 50_000) await raw.appendUsage(more.slice(i, i + 50_000));
    const tStore = performance.now() - s0;
    const cStore = cpuMs() - sc0;
    await raw.close();
    await store.close();

    const result = {
      events: N,
      concurrency: CONCURRENCY,
      durableAppendPerSec: rate(N, tDurable),
      appendAndFlushPerSec: rate(N, tTotal),
      walEncodePerSec: rate(N, tEncode),
      walBytesPerEvent: Math.round(bytes / N),
      storeAppendPerSec: rate(N, tStore),
      // Throughput per CPU-second: what the path costs, independent of other load on the machine.
      appendAndFlushPerCpuSec: rate(N, cTotal),
      storeAppendPerCpuSec: rate(N, cStore),
      loadAverage1m: +load.toFixed(2),
      seconds: {
        durable: +(tDurable / 1000).toFixed(2),
        total: +(tTotal / 1000).toFixed(2),
        storeOnly: +(tStore / 1000).toFixed(2),
      },
      target: 100_000,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `ledger: ${result.appendAndFlushPerSec.toLocaleString('en-US')} events/s durable + flushed into DuckDB ` +
        `(durable append alone ${result.durableAppendPerSec.toLocaleString('en-US')}/s, store.appendUsage alone ` +
        `${result.storeAppendPerSec.toLocaleString('en-US')}/s); target 100,000/s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
