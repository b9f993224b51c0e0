/**
 * One PostgreSQL ledger flush (`appendUsage` of a batch, the path the ledger takes on PostgreSQL) step by step,
 * on a throwaway cluster (test/postgres-cluster.ts, fsync off): per statement, the Node process's CPU
 * (`process.cpuUsage`) and the server backend's on-CPU time (`/proc/<pid>/schedstat`, nanoseconds), medians
 * over many flushes at 100, 1,000 and 5,000 events. The binary COPY is streamed, so its share is the flush's
 * total minus the statements ("COPY and the rest").
 *
 *   node --import tsx bench/ledger-flush-pg-steps.ts [--sizes 100,1000,5000] [--flushes 20]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { UsageEvent } from '../src/store/index.js';
import { benchEvents, loadLine, median } from './_bench-fixtures.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { startPostgres } from '../test/postgres-cluster.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,5000' },
    flushes: { type: 'string', default: '20' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const flushes = Number(values.flushes);

/** On-CPU nanoseconds of a process so far. */
const onCpuNs = (pid: number): number => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

type Step = { node: number; server: number };
let recording: Map<string, Step> | null = null;
let depth = 0;
const proto = pg.Client.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
const origQuery = proto['query']!;
proto['query'] = function (this: { processID?: number }, ...args: unknown[]) {
  const rec = recording;
  const first = args[0];
  if (!rec || depth > 0 || typeof first !== 'string') return origQuery.apply(this, args);
  const pid = this.processID;
  const c = process.cpuUsage();
  const s0 = pid ? onCpuNs(pid) : 0;
  depth += 1;
  const out = origQuery.apply(this, args) as Promise<unknown>;
  depth -= 1;
  const done = () => {
    const d = process.cpuUsage(c);
    const k = first.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ');
    const prev = rec.get(k) ?? { node: 0, server: 0 };
    rec.set(k, {
      node: prev.node + (d.user + d.system) / 1000,
      server: prev.server + (pid ? (onCpuNs(pid) - s0) / 1e6 : 0),
    });
  };
  return out.then(
    (r) => (done(), r),
    (e: unknown) => {
      done();
      throw e;
    },
  );
};

const cluster = await startPostgres();
try {
  // One connection, so the backend whose CPU is read is the one doing the flush.
  const store = await openPostgresStore({ url: await cluster.database(), poolSize: 1 });
  const event = benchEvents();
  const batch = (n: number): UsageEvent[] => Array.from({ length: n }, (_, i) => event(i));
  const backend = Number((await store.query('SELECT pg_backend_pid() AS p'))[0]?.['p']);
  console.log(loadLine());
  for (const n of sizes) {
    for (let i = 0; i < 3; i++) await store.appendUsage(batch(n));
    const steps = new Map<string, Step[]>();
    const totals: Step[] = [];
    for (let i = 0; i < flushes; i++) {
      const events = batch(n);
      recording = new Map();
      const c = process.cpuUsage();
      const s0 = onCpuNs(backend);
      await store.appendUsage(events);
      const d = process.cpuUsage(c);
      const total = { node: (d.user + d.system) / 1000, server: (onCpuNs(backend) - s0) / 1e6 };
      const inside = [...recording.values()].reduce((a, b) => ({
        node: a.node + b.node,
        server: a.server + b.server,
      }));
      recording.set('COPY and the rest', {
        node: total.node - inside.node,
        server: total.server - inside.server,
      });
      for (const [k, v] of recording) steps.set(k, [...(steps.get(k) ?? []), v]);
      recording = null;
      totals.push(total);
    }
    const m = (xs: Step[]) =>
      `Node ${median(xs.map((x) => x.node))
        .toFixed(2)
        .padStart(6)} ms, server ${median(xs.map((x) => x.server))
        .toFixed(2)
        .padStart(6)} ms`;
    console.log(`\n${n} events per flush, ${flushes} flushes: ${m(totals)}`);
    for (const [k, v] of steps) console.log(`  ${m(v)}  ${k}`);
  }
  console.log(loadLine());
  await store.close();
} finally {
  await cluster.stop();
}
