/**
 * Two gateway replicas sharing Redis (each with its own store here; the PostgreSQL variant is in
 * replicas-postgres.test.ts): the exact cache is shared, and a Redis outage fails hard budgets closed while
 * everything else keeps serving and metering, and recovers by itself. Skipped without redis-server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadConfig, type TallyConfig } from '../src/core/index.js';
import { createKey, startGateway, type RunningGateway } from '../src/gateway/index.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../src/gateway/testing/redis-server.js';
import { openStore } from '../src/store/index.js';
import { failure } from './_governance-harness.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

const skip = !hasRedisServer && 'redis-server is not installed';
let redis: TestRedis | null = null;
let f: GatewayFixture | null = null;
let config: TallyConfig | null = null;
const dbs: string[] = [];
const gws: RunningGateway[] = [];
const secrets = { free: '', capped: '' };
const ids = { free: '', capped: '' };

before(async () => {
  if (!hasRedisServer) return;
  redis = await startTestRedis();
  f = await makeFixture(`  cache:
    exact: { ttlSeconds: 60 }
  limits:
    redis: { url: "${redis.url}", prefix: "rep:", connectTimeoutMs: 500, commandTimeoutMs: 500 }
`);
  config = loadConfig({ path: f.configPath }).config;
  dbs.push(f.dbPath, join(f.dir, 'replica-b.duckdb'));
  // The same keys in both replicas' stores (with PostgreSQL they would share one).
  const a = await openStore({ path: dbs[0]! });
  const free = await createKey(a, { team: 'ml', app: 'bot', environment: 'prod' });
  const capped = await createKey(a, {
    team: 'ml',
    app: 'bot',
    environment: 'prod',
    budget: { usd: 100, period: 'day', hard: true },
  });
  await a.close();
  const b = await openStore({ path: dbs[1]! });
  await b.insertKey(free.record);
  await b.insertKey(capped.record);
  await b.close();
  Object.assign(secrets, { free: free.key, capped: capped.key });
  Object.assign(ids, { free: free.record.id, capped: capped.record.id });
  for (const db of dbs) gws.push(await startGateway({ config, dbPath: db, port: 0, host: '127.0.0.1' }));
});
after(async () => {
  for (const g of gws) await g.stop().catch(() => undefined);
  await redis?.close();
  await f?.cleanup();
});

const client = (replica: number, key: keyof typeof secrets) =>
  new OpenAI({ apiKey: secrets[key], baseURL: `${gws[replica]!.url}/v1`, maxRetries: 0 });
const ask = (replica: number, key: keyof typeof secrets, content: string) =>
  client(replica, key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

test(
  'an answer cached by one replica is a cache hit on the other, without another upstream call',
  { skip },
  async () => {
    const calls = f!.mock.calls.length;
    const first = await ask(0, 'free', 'shared cache probe').withResponse();
    assert.equal(first.response.headers.get('x-tally-cache'), 'miss');
    const second = await ask(1, 'free', 'shared cache probe').withResponse();
    assert.equal(second.response.headers.get('x-tally-cache'), 'hit-exact');
    assert.deepEqual(second.data.choices, first.data.choices);
    assert.equal(f!.mock.calls.length, calls + 1);
  },
);

test(
  'with Redis down a hard budget answers 503 unavailable, other requests are served and metered, and all recovers',
  { skip },
  async () => {
    await redis!.stop();
    const refused = await failure(ask(0, 'capped', 'during the outage'));
    assert.equal(refused.status, 503);
    assert.equal(refused.error.code, 'unavailable');
    assert.match(refused.error.message ?? '', /hard budget .*unreachable/);
    assert.equal(refused.headers.get('retry-after'), '1');
    // No limits on this key: served (the cache degrades to a miss), and metered to the local WAL.
    const served = await ask(1, 'free', 'during the outage, unlimited').withResponse();
    assert.equal(served.response.headers.get('x-tally-cache'), 'miss');
    await redis!.start();
    const end = Date.now() + 10_000;
    for (;;) {
      const ok = await ask(0, 'capped', 'after the outage').then(
        () => true,
        () => false,
      );
      if (ok) break;
      assert.ok(Date.now() < end, 'hard budgets did not recover after Redis came back');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const g of gws.splice(0)) await g.stop();
    const s = await openStore({ path: dbs[1]!, readOnly: true });
    try {
      const rows = await s.readOnlySql(
        `SELECT count(*) AS n FROM usage_events WHERE key_id = '${ids.free}' AND http_status = 200`,
      );
      assert.equal(Number(rows[0]?.['n']), 2, 'the replica metered its cache hit and its outage request');
    } finally {
      await s.close();
    }
  },
);
