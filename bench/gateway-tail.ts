/**
 * What the gateway's slow answers overlap (issue 11's tail at a smooth rate). Runs the mock upstream and the
 * compiled gateway (`dist/`, build first) with keys, a TPM limit, a budget and the durable ledger, sends a smooth
 * open-loop rate (3 s warm-up, then the measured window; each latency from its send), and attributes every
 * answer slower than --slow ms to what overlapped it inside the gateway (bench/_tail-probe.mjs): a ledger flush,
 * a durable WAL write slower than 2 ms, a GC pause, an event-loop stall over 4 ms. Prints one JSON line, with
 * `stealShare`: the share of the machine's CPU time the hypervisor took during the window.
 *   node --import tsx bench/gateway-tail.ts [--rate 1000] [--seconds 10] [--slow 3] [--ack durable|fast]
 *        [--wal-writes pool|loop] [--flush-ms 1000] [--node-flags "--max-semi-space-size=32 ..."]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BENCH_KEY_OPTIONS } from './_bench-fixtures.js';
import { machineCpuTicks, processCpuMs, stealShare, threadCpuMs } from './_proc.js';

const { values: o } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    slow: { type: 'string', default: '3' },
    ack: { type: 'string', default: 'durable' },
    'wal-writes': { type: 'string', default: 'pool' },
    'flush-ms': { type: 'string', default: '1000' },
    /** Extra flags for the gateway's node, space-separated (e.g. "--max-semi-space-size=32"). */
    'node-flags': { type: 'string', default: '' },
  },
});
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'tally.js');
const dir = mkdtempSync(join(tmpdir(), 'tally-tail-'));
const children: ChildProcess[] = [];
const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('exit', () => {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const mock = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'gateway-servers.ts'), 'mock'],
  // The mock from the sources (dist/ ships no test helpers); only the gateway's own process is measured.
  { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, BENCH_FROM_SRC: '1' } },
);
children.push(mock);
const mockUrl = await new Promise<string>((ok) =>
  createInterface({ input: mock.stdout! }).once('line', (l) => ok((JSON.parse(l) as { url: string }).url)),
);
const port = 20000 + Math.floor(Math.random() * 20000);
const cfg = join(dir, 'tally.yaml');
const db = join(dir, 't.duckdb');
writeFileSync(
  cfg,
  `version: 1
store: { path: ${db} }
gateway:
  port: ${port}
  host: 127.0.0.1
  ack: ${o.ack}
  walWrites: ${o['wal-writes']}
  flushIntervalMs: ${o['flush-ms']}
  upstreams:
    - { name: mock, kind: azure-openai, baseUrl: ${mockUrl}, apiKey: sk-mock, region: eastus2,
        deployments: [{ name: gpt-4o-mini, model: gpt-4o-mini, type: global-standard }] }
  routes: [{ model: gpt-4o-mini, targets: [mock/gpt-4o-mini] }]
`,
);
const key = (
  JSON.parse(
    execFileSync(
      process.execPath,
      [BIN, 'keys', 'create', '--config', cfg, '--db', db, ...BENCH_KEY_OPTIONS],
      { encoding: 'utf8' },
    ),
  ) as { key: string }
).key;
const probeOut = join(dir, 'probe.json');
const gw = spawn(
  process.execPath,
  [
    ...o['node-flags'].split(' ').filter(Boolean),
    '--import',
    join(import.meta.dirname, '_tail-probe.mjs'),
    BIN,
    'gateway',
    '--config',
    cfg,
    '--db',
    db,
  ],
  {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, TALLY_TAIL_PROBE_OUT: probeOut },
  },
);
children.push(gw);
await new Promise<void>((ok) =>
  gw.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && ok()),
);

const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in one short sentence.' }],
  max_tokens: 32,
});
const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
const rate = Number(o.rate);
const lat: [number, number][] = [];
const fire = (record: boolean) =>
  new Promise<void>((done) => {
    const t0 = performance.now();
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (r) => {
        r.resume();
        r.on('end', () => {
          if (record && r.statusCode === 200) lat.push([performance.timeOrigin + t0, performance.now() - t0]);
          done();
        });
      },
    );
    req.on('error', () => done());
    req.end(body);
  });
const phase = (seconds: number, record: boolean) =>
  new Promise<void>((resolve) => {
    const start = performance.now();
    const total = Math.round(seconds * rate);
    let sent = 0;
    let finished = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      for (; sent < due; sent++) void fire(record).then(() => ++finished === total && resolve());
      if (sent < total) setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
    };
    tick();
  });
await phase(3, false);
const cpuA = processCpuMs(gw.pid!);
const threadsA = threadCpuMs(gw.pid!);
const machineA = machineCpuTicks();
await phase(Number(o.seconds), true);
const cpuB = processCpuMs(gw.pid!);
const threadsB = threadCpuMs(gw.pid!);
const machineB = machineCpuTicks();
gw.kill('SIGUSR2');
await new Promise((r) => setTimeout(r, 500));
stopAll();

type Ev = [string, string | number, number, number];
const probe = JSON.parse(readFileSync(probeOut, 'utf8')) as Ev[];
const t0 = lat.reduce((m, r) => Math.min(m, r[0]), Infinity);
const t1 = lat.reduce((m, r) => Math.max(m, r[0] + r[1]), 0);
const flushes: [number, number][] = [];
let open: number | null = null;
for (const e of probe) {
  if (e[0] !== 'flush') continue;
  if (e[1] === 'start') open = e[2];
  else if (open !== null) {
    flushes.push([open, e[2]]);
    open = null;
  }
}
const within = (a: number, b: number) => b > t0 && a < t1;
const windows = {
  flush: flushes.filter(([a, b]) => within(a, b)),
  walOver2ms: probe
    .filter((e) => e[0] === 'wal' && e[3] > 2)
    .map((e) => [e[2], e[2] + e[3]] as [number, number]),
  gc: probe.filter((e) => e[0] === 'gc').map((e) => [e[2], e[2] + e[3]] as [number, number]),
  stall: probe.filter((e) => e[0] === 'stall').map((e) => [e[2], e[2] + e[3]] as [number, number]),
};
const slowMs = Number(o.slow);
const slow = lat.filter((r) => r[1] > slowMs);
const hit = (r: [number, number], ws: [number, number][]) => ws.some(([a, b]) => r[0] < b && r[0] + r[1] > a);
const overlaps = Object.fromEntries(
  Object.entries(windows).map(([k, ws]) => [k, slow.filter((r) => hit(r, ws)).length]),
);
const none = slow.filter((r) => !Object.values(windows).some((ws) => hit(r, ws))).length;
const q = (xs: number[], p: number) => (xs.length ? +xs[Math.floor(p * (xs.length - 1))]!.toFixed(3) : null);
const sorted = lat.map((r) => r[1]).sort((a, b) => a - b);
const wal = probe
  .filter((e) => e[0] === 'wal' && e[2] >= t0 && e[2] <= t1)
  .map((e) => e[3])
  .sort((a, b) => a - b);
const flushShare = windows.flush.reduce((s, [a, b]) => s + Math.min(b, t1) - Math.max(a, t0), 0) / (t1 - t0);
console.log(
  JSON.stringify({
    ack: o.ack,
    walWrites: o['wal-writes'],
    rate,
    answered: lat.length,
    latencyMs: { p50: q(sorted, 0.5), p90: q(sorted, 0.9), p99: q(sorted, 0.99), max: q(sorted, 1) },
    gatewayCpuUsPerRequest: Math.round(((cpuB - cpuA) * 1000) / lat.length),
    // The main thread (the event loop) and the rest (libuv's pool, V8's GC and compiler threads, DuckDB).
    mainThreadCpuUsPerRequest: Math.round(((threadsB.main - threadsA.main) * 1000) / lat.length),
    otherThreadsCpuUsPerRequest: Math.round(((threadsB.others - threadsA.others) * 1000) / lat.length),
    slowerThanMs: slowMs,
    slow: slow.length,
    overlapping: overlaps,
    overlappingNone: none,
    flushes: windows.flush.length,
    flushShareOfTime: +flushShare.toFixed(3),
    walWriteMs: {
      writes: wal.length,
      p50: q(wal, 0.5),
      p99: q(wal, 0.99),
      p999: q(wal, 0.999),
      max: q(wal, 1),
    },
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    // CPU time the hypervisor took from this VM during the window: above a few percent, tails measure the host.
    stealShare: Number(stealShare(machineA, machineB).toFixed(3)),
  }),
);
process.exit(0);
