/**
 * Issue 12's replica contract: two `tally gateway` processes, one config (store on PostgreSQL,
 * `gateway.limits.redis` set), different ports, against the mock upstream. Every answered request is metered
 * exactly once in the shared ledger and `tally usage` sees it within 2 s; a hard key budget holds across both;
 * kill -9 of one replica under load loses no answered request (its WAL is replayed when it starts again) and
 * duplicates none. Skipped without PostgreSQL or redis-server (outside CI).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { priceUsage } from '../src/catalog/index.js';
import { createKey } from '../src/gateway/index.js';
import { MOCK_USAGE } from '../src/gateway/testing/mock-upstream.js';
import { freePort } from '../src/gateway/testing/ports.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../src/gateway/testing/redis-server.js';
import { openStore } from '../src/store/index.js';
import { REPO_ROOT, runCli } from './cli.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';
import { skipWithoutPostgres, startPostgres, type PgCluster } from './postgres-cluster.js';

const skip =
  skipWithoutPostgres || (!hasRedisServer && !process.env['CI'] && 'redis-server is not installed');
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

let cluster: PgCluster | null = null;
let redis: TestRedis | null = null;
let f: GatewayFixture | null = null;
let db = '';
const procs = new Set<ChildProcess>();
// Three keys (free, hard-capped, under load) made before the replicas start; two replicas for all tests.
const keys: Record<'free' | 'capped' | 'load', { id: string; key: string }> = {
  free: { id: '', key: '' },
  capped: { id: '', key: '' },
  load: { id: '', key: '' },
};
let budget = 0n;
let ports: number[] = [];
let a: Replica | null = null;
let b: Replica | null = null;

/** A `tally gateway` replica on a fixed port (so a restart comes back at the same address). */
interface Replica {
  readonly url: string;
  proc: ChildProcess;
  stderr: string;
}

async function startReplica(port: number): Promise<Replica> {
  const proc = spawn(
    process.execPath,
    ['--import', TSX, MAIN, 'gateway', '--config', f!.configPath, '--db', db, '--port', String(port)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  procs.add(proc);
  proc.once('exit', () => procs.delete(proc));
  const r: Replica = { url: `http://127.0.0.1:${port}`, proc, stderr: '' };
  proc.stderr!.on('data', (b: Buffer) => (r.stderr += b.toString()));
  for (let i = 0; i < 900 && proc.exitCode === null; i++) {
    const ok = await fetch(`${r.url}/healthz`).then(
      (x) => x.status === 200,
      () => false,
    );
    if (ok) return r;
    await new Promise((w) => setTimeout(w, 100));
  }
  proc.kill('SIGKILL');
  throw new Error(`replica on ${port} did not start: ${r.stderr}`);
}

async function stopReplica(r: Replica, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
  await new Promise<void>((ok) => {
    r.proc.once('exit', () => ok());
    r.proc.kill(signal);
  });
}

/** Waits for a condition, failing the test after 2 minutes rather than hanging it. */
async function until(ok: () => boolean): Promise<void> {
  const end = Date.now() + 120_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met within 2 minutes');
    await new Promise((w) => setTimeout(w, 10));
  }
}

/** One chat request; resolves with its request id and status (0 when the connection failed). */
async function ask(
  url: string,
  key: string,
  body: Record<string, unknown> = {},
): Promise<{ status: number; id: string | null }> {
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'replica' }], ...body }),
    });
    await res.arrayBuffer();
    return { status: res.status, id: res.headers.get('x-tally-request-id') };
  } catch {
    return { status: 0, id: null };
  }
}

async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

before(async () => {
  if (skip) return;
  cluster = await startPostgres();
  db = await cluster.database();
  redis = await startTestRedis();
  f = await makeFixture(`  limits:
    redis: { url: "${redis.url}", prefix: "pgrep:" }
`);
  // Both replicas' WAL folders (replica-0/, replica-1/) under the test's directory.
  appendFileSync(f.configPath, `  walDir: ${join(f.dir, 'wal')}\n`);
  const q = { model: 'gpt-4o', deployment: 'global-standard', provider: 'azure-openai' };
  // The `maxout` deployment bills every answer at its whole cap: each admitted request spends its worst case.
  const actual = priceUsage(
    { inputTokens: MOCK_USAGE.prompt_tokens, cachedInputTokens: 0, outputTokens: 1000 },
    q,
  ).costNanos;
  budget = (actual * 7n) / 2n;
  const store = await openStore({ path: db });
  try {
    for (const [name, app] of [
      ['free', 'bot'],
      ['capped', 'capped'],
      ['load', 'load'],
    ] as const) {
      const spec = { team: 'ml', app, environment: 'prod' };
      const { record, key } = await createKey(
        store,
        name === 'capped'
          ? { ...spec, budget: { usd: Number(budget) / 1e9, period: 'day', hard: true } }
          : spec,
      );
      keys[name] = { id: record.id, key };
    }
  } finally {
    await store.close();
  }
  ports = [await freePort(), await freePort()];
  [a, b] = await Promise.all([startReplica(ports[0]!), startReplica(ports[1]!)]);
});
after(async () => {
  if (a) await stopReplica(a);
  if (b) await stopReplica(b);
  for (const p of procs) p.kill('SIGKILL');
  await redis?.close();
  await cluster?.stop();
  await f?.cleanup();
});

test(
  'two replicas on one PostgreSQL ledger meter every answered request once, visible to tally usage within 2 s',
  { skip },
  async () => {
    const { id, key } = keys.free;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => ask([a, b][i % 2]!.url, key)));
    // Every request that got an answer is metered, failures too (a 504 when the loaded machine starves the
    // mock); the 200s are the ones the contract names.
    const all = answers.filter((x) => x.id !== null).map((x) => x.id!);
    const ok = answers.filter((x) => x.status === 200).length;
    assert.equal(all.length, 40, `statuses: ${answers.map((x) => x.status).join(' ')}`);
    assert.ok(ok >= 30, `only ${ok} of 40 answered 200: ${answers.map((x) => x.status).join(' ')}`);
    const t0 = Date.now();
    let rows: { id: string }[] = [];
    while (Date.now() - t0 < 2000) {
      rows = await sql<{ id: string }>('SELECT id FROM usage_events WHERE key_id = $1', [id]);
      if (rows.length >= all.length) break;
      await new Promise((w) => setTimeout(w, 50));
    }
    const seenAfterMs = Date.now() - t0;
    assert.deepEqual(rows.map((r) => r.id).sort(), [...all].sort(), `ledger after ${seenAfterMs} ms`);
    const usage = await runCli(['usage', '--db', db, '--by', 'keyId', '--json'], { cwd: f!.dir });
    assert.equal(usage.code, 0, usage.stderr);
    const row = usage.json<Record<string, unknown>[]>().find((r) => r['keyId'] === id);
    assert.equal(Number(row?.['requests']), 40);
  },
);

test('a hard key budget holds across two replicas', { skip }, async () => {
  const res = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      ask([a, b][i % 2]!.url, keys.capped.key, { model: 'maxout', max_tokens: 1000 }),
    ),
  );
  const statuses = res.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 3);
  assert.equal(statuses.filter((s) => s === 403).length, 37);
  // Spend reaches the ledger within the flush interval.
  await new Promise((w) => setTimeout(w, 2500));
  const [spent] = await sql<{ n: string }>(
    'SELECT COALESCE(SUM(cost_nanos), 0)::text AS n FROM usage_events WHERE key_id = $1',
    [keys.capped.id],
  );
  const total = BigInt(spent!.n);
  assert.ok(total > 0n && total <= budget, `spend ${total} across replicas exceeds the budget ${budget}`);
});

test('kill -9 of a replica under load loses no answered request and duplicates none', { skip }, async () => {
  const { id, key } = keys.load;
  const [ra, rb] = [a!, b!];
  const answered: string[] = [];
  let sent = 0;
  let stop = false;
  // Eight clients, each sending to both replicas in turn until told to stop.
  const clients = Array.from({ length: 8 }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      sent += 1;
      const r = await ask((i + c) % 2 ? rb.url : ra.url, key);
      if (r.status === 200 && r.id) answered.push(r.id);
    }
  });
  try {
    await until(() => answered.length >= 150);
    await stopReplica(ra, 'SIGKILL');
    const atKill = answered.length;
    await until(() => answered.length >= atKill + 50);
    stop = true;
    await Promise.all(clients);
    // The killed replica starts again: it claims its WAL folder and replays what it had acknowledged.
    a = await startReplica(ports[0]!);
  } finally {
    stop = true;
    await stopReplica(a!);
    await stopReplica(rb);
  }
  const rows = await sql<{ id: string; n: string }>(
    'SELECT id, count(*)::text AS n FROM usage_events WHERE key_id = $1 GROUP BY id',
    [id],
  );
  const metered = new Set(rows.map((r) => r.id));
  const lost = answered.filter((id) => !metered.has(id));
  assert.deepEqual(lost, [], `${lost.length} answered requests were not metered`);
  assert.ok(
    rows.every((r) => r.n === '1'),
    'an event was stored twice',
  );
  assert.equal(new Set(answered).size, answered.length);
  assert.ok(rows.length <= sent, `${rows.length} events for ${sent} requests sent`);
});
