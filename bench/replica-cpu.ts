/**
 * `npm run bench:replica`: CPU per request of one `tally gateway` process in two setups, same key limits (a TPM
 * limit and a hard budget that never refuse), same mock upstream, cache off:
 *  - embedded: DuckDB store, limits in process;
 *  - replica:  PostgreSQL store (throwaway cluster) and Redis limits (throwaway redis-server).
 * Each round sends BENCH_REQUESTS requests at BENCH_RATE req/s (at most 32 in flight) to each setup in turn
 * after a warm-up, and reads the gateway process's CPU (user + system, all threads) from /proc before and after.
 * The PostgreSQL and Redis servers' own CPU is not counted: it is the shared tier, not the replica.
 * Env: BENCH_ROUNDS (default 3), BENCH_RATE (default 200), BENCH_REQUESTS (default 3000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createKey } from '../src/gateway/index.js';
import { startMockUpstream } from '../src/gateway/testing/mock-upstream.js';
import { startTestRedis } from '../src/gateway/testing/redis-server.js';
import { openStore } from '../src/store/index.js';
import { fixtureYaml } from '../test/gateway-fixture.js';
import { startPostgres } from '../test/postgres-cluster.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const RATE = Number(process.env['BENCH_RATE'] ?? 200);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 3000);
const children: ChildProcess[] = [];

/** CPU (user + system, all threads) a process has used, ms; clock ticks are 100 Hz. */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const a = srv.address();
  await new Promise<void>((ok) => srv.close(() => ok()));
  return typeof a === 'object' && a ? a.port : 0;
}

interface Setup {
  name: string;
  url: string;
  key: string;
  pid: number;
}

async function startSetup(name: string, configPath: string, db: string): Promise<Setup> {
  const store = await openStore({ path: db });
  const { key } = await createKey(store, {
    team: 'bench',
    app: name,
    environment: 'prod',
    tpm: 1_000_000_000,
    budget: { usd: 1_000_000, period: 'day', hard: true },
  });
  await store.close();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/main.ts'),
      'gateway',
      '--config',
      configPath,
      '--db',
      db,
      '--port',
      String(port),
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return { name, url, key, pid: child.pid! };
    await new Promise((w) => setTimeout(w, 100));
  }
  throw new Error(`${name} did not start`);
}

const agent = new Agent({ connections: 32, pipelining: 1 });
const BODY = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'benchmark prompt' }] });

/** Sends `n` requests at `rate` per second (at most 32 in flight); returns how many answered 200. */
async function load(s: Setup, n: number, rate: number): Promise<number> {
  let ok = 0;
  let inFlight = 0;
  const start = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((w) => setTimeout(w, wait));
    while (inFlight >= 32) await new Promise((w) => setTimeout(w, 1));
    inFlight += 1;
    pending.push(
      request(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
        body: BODY,
      })
        .then(async (r) => {
          await r.body.dump();
          if (r.statusCode === 200) ok += 1;
        })
        .catch(() => undefined)
        .finally(() => (inFlight -= 1)),
    );
  }
  await Promise.all(pending);
  return ok;
}

const mock = await startMockUpstream({ record: false });
const work = mkdtempSync(join(tmpdir(), 'tally-bench-replica-'));
const pgc = await startPostgres();
const redis = await startTestRedis();
try {
  const embeddedCfg = join(work, 'embedded.yaml');
  writeFileSync(embeddedCfg, fixtureYaml(mock.url));
  const replicaCfg = join(work, 'replica.yaml');
  writeFileSync(replicaCfg, fixtureYaml(mock.url, `  limits:\n    redis: { url: "${redis.url}" }\n`));
  appendFileSync(replicaCfg, `  walDir: ${join(work, 'wal')}\n`);
  process.env['TALLY_TEST_AOAI_KEY'] = 'bench';
  process.env['TALLY_TEST_ENTRA_SECRET'] = 'bench';
  const setups = [
    await startSetup('embedded', embeddedCfg, join(work, 'tally.duckdb')),
    await startSetup('replica', replicaCfg, await pgc.database()),
  ];
  for (const s of setups) await load(s, Math.min(500, REQUESTS), RATE); // warm-up (JIT, pools)
  const per: Record<string, number[]> = { embedded: [], replica: [] };
  for (let round = 0; round < ROUNDS; round++)
    for (const s of setups) {
      const before = cpuMs(s.pid);
      const ok = await load(s, REQUESTS, RATE);
      await new Promise((w) => setTimeout(w, 1500)); // the last flush lands inside the window
      const used = cpuMs(s.pid) - before;
      per[s.name]!.push((used * 1000) / ok);
      console.log(
        `round ${round + 1} ${s.name}: ${ok}/${REQUESTS} ok, ${used} ms CPU, ${((used * 1000) / ok).toFixed(0)} µs/req`,
      );
    }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const e = median(per['embedded']!);
  const r = median(per['replica']!);
  console.log(
    `median CPU per request: embedded ${e.toFixed(0)} µs, PostgreSQL + Redis ${r.toFixed(0)} µs ` +
      `(${(((r - e) / e) * 100).toFixed(1)}%); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((w) => setTimeout(w, 3000));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis.close();
  await pgc.stop();
  await mock.close();
  await agent.close();
  rmSync(work, { recursive: true, force: true });
}
