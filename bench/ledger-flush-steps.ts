/**
 * One DuckDB ledger flush (`appendUsageFromWal`) step by step: the CPU of every statement the flush runs on the
 * store's connection (all threads of this process, `process.cpuUsage` around each awaited `run`), medians over
 * many flushes, at 100, 1,000 and 5,000 events per flush. Nothing else runs in the process meanwhile, so the
 * CPU between a statement's start and end is that statement's. "other" is the flush's CPU outside any statement
 * (the torn-tail check, JavaScript).
 *
 *   node --import tsx bench/ledger-flush-steps.ts [--sizes 100,1000,5000] [--flushes 20] [--stored 2000000]
 *
 * --stored first puts that many older rows in usage_events (one a second over the month before), so the
 * dedup's range scan meets a big table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBConnection } from '@duckdb/node-api';
import { encodeEvent } from '../src/ledger/index.js';
import { benchEvents, loadLine, median } from './_bench-fixtures.js';
import { openDuckDBStore } from '../src/store/index.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,5000' },
    flushes: { type: 'string', default: '20' },
    stored: { type: 'string', default: '0' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const flushes = Number(values.flushes);

// Per-statement CPU, keyed by the statement's first words; only while `recording`.
let recording: Map<string, number> | null = null;
let depth = 0;
const label = (sql: string): string => {
  const s = sql.replace(/\s+/g, ' ').trim();
  const words = s.split(' ');
  const key = words.slice(0, /^(CREATE|INSERT|DELETE|DROP)/i.test(s) ? 5 : 2).join(' ');
  return /;\s*\S/.test(s) ? `${key} … (${s.split(';').filter((x) => x.trim()).length} statements)` : key;
};
const proto = DuckDBConnection.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
for (const name of ['run', 'runAndReadAll', 'streamAndReadAll'] as const) {
  const orig = proto[name];
  if (!orig) continue;
  proto[name] = async function (this: unknown, ...args: unknown[]) {
    const rec = recording;
    // runAndReadAll runs through run: count the outer call only.
    if (!rec || depth > 0) return orig.apply(this, args);
    depth += 1;
    const c = process.cpuUsage();
    try {
      return await orig.apply(this, args);
    } finally {
      depth -= 1;
      const d = process.cpuUsage(c);
      const k = label(String(args[0]));
      rec.set(k, (rec.get(k) ?? 0) + (d.user + d.system) / 1000);
    }
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tally-flush-steps-'));
const store = await openDuckDBStore({ path: join(dir, 'db.duckdb'), threads: 1 });
const event = benchEvents();
let segments = 0;
function segment(events: number): string {
  const lines: string[] = [];
  for (let i = 0; i < events; i++) lines.push(encodeEvent(event(i)));
  const path = join(dir, `wal-${++segments}.jsonl`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

if (Number(values.stored) > 0) {
  await store.appendUsageFromWal!([segment(1)]);
  await store.exec(`INSERT INTO usage_events SELECT u.* REPLACE ('old-' || r.range AS id,
      u.start_time - INTERVAL 40 DAY + to_seconds(r.range) AS start_time)
    FROM (SELECT * FROM usage_events LIMIT 1) u, range(${Number(values.stored)}) r`);
}
console.log(loadLine());
for (const events of sizes) {
  for (let i = 0; i < 3; i++) await store.appendUsageFromWal!([segment(events)]);
  const steps = new Map<string, number[]>();
  const totals: number[] = [];
  for (let i = 0; i < flushes; i++) {
    const path = segment(events);
    recording = new Map();
    const c = process.cpuUsage();
    await store.appendUsageFromWal!([path]);
    const d = process.cpuUsage(c);
    const total = (d.user + d.system) / 1000;
    const inside = [...recording.values()].reduce((a, b) => a + b, 0);
    recording.set('other (JavaScript, torn-tail check)', total - inside);
    for (const [k, v] of recording) steps.set(k, [...(steps.get(k) ?? []), v]);
    recording = null;
    totals.push(total);
  }
  console.log(
    `\n${events} events per flush, ${flushes} flushes: total CPU median ${median(totals).toFixed(2)} ms`,
  );
  for (const [k, v] of steps) console.log(`  ${median(v).toFixed(2).padStart(7)} ms  ${k}`);
}
console.log(loadLine());
await store.close();
rmSync(dir, { recursive: true, force: true });
