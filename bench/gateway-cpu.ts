/**
 * `npm run bench:gateway-cpu`: the gateway's CPU per request, a measure that a shared machine's load barely
 * moves (wall times do). It sets Tally up as the outside harness does (`../shared/bench/gateway`: keys, a TPM
 * limit, a monthly budget, the durable ledger), starts the harness's mock upstream and the gateway, sends
 * warm-up requests, then a fixed number of requests, and reads the gateway process's CPU (all threads, and the
 * main thread alone) from /proc before and after. Optionally writes a `--cpu-prof` profile of the gateway.
 *
 *   node --import tsx bench/gateway-cpu.ts [--root DIR] [--mode closed|paced] [--requests N] [--conns C]
 *        [--rate R] [--prof DIR] [--dist] [--bare]
 *        [--ack durable|fast] [--wal-writes loop|pool] [--probe]
 *
 * --root runs another checkout's gateway (its `src/cli/main.ts` through tsx, or `bin/tally.js` with --dist),
 * so commits can be compared with the same load generator. closed: C connections back to back (default 20);
 * paced: bench/_openloop.ts at R req/s (default 1000) for N/R seconds. --bare measures the harness's
 * `bare-proxy.mjs` (the thinnest Node pass-through) the same way instead of Tally: the yardstick.
 * --probe loads bench/_loop-probe.mjs into the measured process and adds `loop`: event-loop stalls over 1/2/5 ms
 * per second of the measured window, on-CPU vs waiting for a core, GC and ledger-flush overlap (ADR 0042).
 * Prints one JSON line: requests, errors, wall ms, CPU µs/request (process, main thread, user/system split).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_KEY_OPTIONS, freePort } from './_bench-fixtures.js';
import { Pool } from 'undici';
import { loopReport } from './_loop-report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    root: { type: 'string', default: resolve(HERE, '..') },
    mode: { type: 'string', default: 'closed' },
    requests: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '5000' },
    conns: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
    prof: { type: 'string' },
    dist: { type: 'boolean', default: false },
    bare: { type: 'boolean', default: false },
    ack: { type: 'string', default: 'durable' },
    // Omitted: the build's default (and a build older than gateway.walWrites accepts the config).
    'wal-writes': { type: 'string' },
    probe: { type: 'boolean', default: false },
    // Omitted: free ports picked at start.
    'mock-port': { type: 'string' },
    port: { type: 'string' },
    harness: { type: 'string', default: resolve(HERE, '../../shared/bench/gateway') },
  },
});
const ROOT = resolve(opt.root!);
const N = Number(opt.requests);
const BODY_FILE = join(opt.harness!, 'chat-body.json');
const BODY = readFileSync(BODY_FILE);
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill()));
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => process.exit(130));

/** [utime, stime] in ms (100 Hz ticks) of a /proc stat file. */
function ticks(path: string): [number, number] {
  const f = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return [Number(f[11]) * 10, Number(f[12]) * 10];
}

/** CPU ms per thread name (threads that share a name, like libuv's pool, are summed). */
function threads(pid: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name =
        t === String(pid) ? 'main' : `${readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim()}-${t}`;
      const [u, s] = ticks(`/proc/${pid}/task/${t}/stat`);
      m.set(name, (m.get(name) ?? 0) + u + s);
    } catch {
      // the thread ended meanwhile
    }
  }
  return m;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url, { method: 'POST', body: '{}' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

function tally(args: string[], extraNode: string[] = []): string[] {
  return opt.dist
    ? [...extraNode, join(ROOT, 'bin/tally.js'), ...args]
    : [...extraNode, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args];
}

async function closed(url: string, key: string, count: number, conns: number): Promise<number> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: conns });
  let left = count;
  let errors = 0;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const r = await pool.request({ path: u.pathname, method: 'POST', headers, body: BODY });
      await r.body.dump();
      if (r.statusCode !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: conns }, worker));
  await pool.close();
  return errors;
}

function paced(url: string, key: string, count: number, rate: number): { errors: number; line: string } {
  const seconds = String(count / rate);
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(HERE, '_openloop.ts'),
      url,
      String(rate),
      seconds,
      BODY_FILE,
      `authorization: Bearer ${key}`,
      'content-type: application/json',
    ],
    { encoding: 'utf8' },
  );
  const r = JSON.parse(out) as { sent: number; ok: number };
  return { errors: r.sent - r.ok, line: out.trim() };
}

async function main(): Promise<void> {
  const W = mkdtempSync(join(tmpdir(), 'tally-gwcpu-'));
  process.on('exit', () => rmSync(W, { recursive: true, force: true }));
  opt['mock-port'] ??= String(await freePort());
  opt.port ??= String(await freePort());
  const mockUrl = `http://127.0.0.1:${opt['mock-port']}`;
  writeFileSync(
    join(W, 'tally.yaml'),
    `version: 1
store: { path: ${W}/t.duckdb }
gateway:
  port: ${opt.port}
  host: 127.0.0.1
  ack: ${opt.ack}${opt['wal-writes'] ? `\n  walWrites: ${opt['wal-writes']}` : ''}
  upstreams:
    - { name: mock, kind: azure-openai, baseUrl: ${mockUrl}, apiKey: sk-mock, region: eastus2,
        deployments: [{ name: gpt-4o-mini, model: gpt-4o-mini, type: global-standard }] }
  routes: [{ model: gpt-4o-mini, targets: [mock/gpt-4o-mini] }]
`,
  );
  const common = ['--config', join(W, 'tally.yaml'), '--db', join(W, 't.duckdb')];
  const created = execFileSync(process.execPath, tally(['keys', 'create', ...common, ...BENCH_KEY_OPTIONS]), {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const key = (JSON.parse(created) as { key: string }).key;

  const mock = spawn(process.execPath, [join(opt.harness!, 'mock-upstream.mjs')], {
    env: { ...process.env, PORT: opt['mock-port'] },
    stdio: 'ignore',
  });
  children.push(mock);
  const probeFile = join(W, 'loop-probe.json');
  const prof = [
    ...(opt.prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opt.prof)}`] : []),
    ...(opt.probe ? ['--import', pathToFileURL(join(HERE, '_loop-probe.mjs')).href] : []),
  ];
  const childEnv = { ...process.env, ...(opt.probe ? { TALLY_LOOP_PROBE: probeFile } : {}) };
  const gw = opt.bare
    ? spawn(process.execPath, [...prof, join(opt.harness!, 'bare-proxy.mjs')], {
        env: { ...childEnv, PORT: opt.port, UPSTREAM: mockUrl },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
    : spawn(process.execPath, tally(['gateway', ...common], prof), {
        cwd: ROOT,
        env: childEnv,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
  children.push(gw);
  const url = `http://127.0.0.1:${opt.port}/v1/chat/completions`;
  await waitFor(`${mockUrl}/v1/chat/completions`);
  await waitFor(url);

  await closed(url, key, Number(opt.warmup), Number(opt.conns));
  await new Promise((r) => setTimeout(r, 1500)); // let the warm-up's flush finish
  const pid = gw.pid!;
  const p0 = ticks(`/proc/${pid}/stat`);
  const m0 = ticks(`/proc/${pid}/task/${pid}/stat`);
  const th0 = threads(pid);
  const t0 = performance.now();
  const e0 = Date.now();
  let errors: number;
  let latency: string | undefined;
  if (opt.mode === 'paced') ({ errors, line: latency } = paced(url, key, N, Number(opt.rate)));
  else errors = await closed(url, key, N, Number(opt.conns));
  const wall = performance.now() - t0;
  const e1 = Date.now();
  await new Promise((r) => setTimeout(r, 1200)); // the last second's flush belongs to these requests
  const p1 = ticks(`/proc/${pid}/stat`);
  const m1 = ticks(`/proc/${pid}/task/${pid}/stat`);
  const th1 = threads(pid);
  const byThread = Object.fromEntries(
    [...th1]
      .map(([k, v]) => [k, Math.round(((v - (th0.get(k) ?? 0)) * 1000) / N)] as const)
      .filter(([, v]) => v > 0),
  );
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const per = (a: number, b: number) => Math.round(((a - b) * 1000) / N);
  gw.kill('SIGTERM');
  await new Promise((r) => gw.once('exit', r));
  mock.kill();
  console.log(
    JSON.stringify({
      root: ROOT,
      target: opt.bare ? 'bare' : 'tally',
      mode: opt.mode,
      requests: N,
      errors,
      wallMs: Math.round(wall),
      reqPerS: Math.round((N * 1000) / wall),
      cpuUsPerReq: per(p1[0] + p1[1], p0[0] + p0[1]),
      userUs: per(p1[0], p0[0]),
      sysUs: per(p1[1], p0[1]),
      mainThreadUs: per(m1[0] + m1[1], m0[0] + m0[1]),
      mainUserUs: per(m1[0], m0[0]),
      mainSysUs: per(m1[1], m0[1]),
      byThread,
      ...(latency ? { latency: JSON.parse(latency) } : {}),
      load,
      ...(opt.probe ? { loop: loopReport(probeFile, e0, e1) } : {}),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
