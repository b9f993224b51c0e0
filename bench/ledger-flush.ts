/**
 * CPU of one ledger flush into DuckDB (all threads of this process, `process.cpuUsage`), by events per flush:
 * the cost the gateway pays every flush interval on the cores that serve its requests (ADR 0015).
 *
 *   node --import tsx bench/ledger-flush.ts            # 10, 1,000 and 5,000 events per flush
 *   BENCH_STORED=2000000 node --import tsx bench/ledger-flush.ts   # with 2M older rows already stored
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent } from '../src/ledger/index.js';
import { benchEvents } from './_bench-fixtures.js';
import { openDuckDBStore } from '../src/store/index.js';

const STORED = Number(process.env['BENCH_STORED'] ?? 0);
const dir = mkdtempSync(join(tmpdir(), 'tally-flush-'));
// One DuckDB thread, as the gateway opens its store.
const store = await openDuckDBStore({ path: join(dir, 'db.duckdb'), threads: 1 });
const at = Date.UTC(2026, 11, 1);
const event = benchEvents();
let segments = 0;
if (STORED > 0)
  await store.exec(`INSERT INTO usage_events SELECT 'old-' || range, make_timestamp(${(at - 30 * 86_400_000) * 1000}::BIGINT
    + range * 1000000), 100, NULL, 'k', 't', 'a', NULL, NULL, NULL, '{}', 'azure-openai', 'mock', 'd', 'gpt-4o-mini',
    'gpt-4o-mini', 'global-standard', NULL, 'chat', false, 30, 0, 12, 0, 'reported', 200, NULL, 'none', 1, 1234, 1234,
    0, NULL FROM range(${STORED})`);

function segment(events: number): string {
  const lines: string[] = [];
  for (let i = 0; i < events; i++) lines.push(encodeEvent(event(i, 'gpt-4o-mini', 't')));
  const path = join(dir, `wal-${++segments}.jsonl`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

for (const [events, flushes] of [
  [10, 60],
  [1000, 30],
  [5000, 12],
] as const) {
  for (let i = 0; i < 3; i++) await store.appendUsageFromWal!([segment(events)]);
  const cpu: number[] = [];
  for (let i = 0; i < flushes; i++) {
    const path = segment(events);
    const c = process.cpuUsage();
    await store.appendUsageFromWal!([path]);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const median = cpu[cpu.length >> 1]!;
  console.log(
    `${events} events per flush: CPU per flush median ${median.toFixed(1)} ms, p90 ${cpu[Math.floor(cpu.length * 0.9)]!.toFixed(1)} ms; ${((median * 1000) / events).toFixed(1)} µs per event`,
  );
}
await store.close();
rmSync(dir, { recursive: true, force: true });
