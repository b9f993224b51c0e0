/** The Redis LimitStore through an outage and back, against a real redis-server (skipped when not installed). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from '../../core/index.js';
import { hasRedisServer, startTestRedis, type TestRedis } from '../testing/redis-server.js';
import type { LimitCheck } from './limit-store.js';
import { redisOptions } from './_redis-conn.js';
import { RedisLimitStore } from './redis.js';

const skip = !hasRedisServer && 'redis-server is not installed';
let redis: TestRedis | null = null;
let n = 0;
before(async () => {
  if (hasRedisServer) redis = await startTestRedis();
});
after(async () => {
  await redis?.close();
});

const budget = (limit: bigint, amount: bigint): LimitCheck => ({
  id: `budget:key:k${n}:day:x`,
  kind: 'budget',
  rule: 'key.budget',
  limit,
  amount,
  hard: true,
  resetAt: Date.now() + 86_400_000,
});

async function until(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('rediss:// turns TLS on, checks the URL host by default and reads a CA file when one is given', () => {
  const o = redisOptions({ url: 'rediss://:k3y@tally.redis.cache.windows.net:6380/2' });
  assert.deepEqual(o.tls, { servername: 'tally.redis.cache.windows.net', rejectUnauthorized: true });
  assert.equal(o.port, 6380);
  assert.equal(o.db, 2);
  assert.equal(o.password, 'k3y');
  assert.equal(redisOptions({ url: 'redis://h:1' }).tls, undefined);
  assert.throws(
    () => redisOptions({ url: 'rediss://h:1', tls: { caFile: '/nonexistent/ca.pem' } }),
    /ENOENT/,
  );
});

test('credentials given apart win over those in the URL, which are decoded', () => {
  const o = redisOptions({ url: 'redis://app:p%40ss@h:1', password: 'from-env' });
  assert.equal(o.username, 'app');
  assert.equal(o.password, 'from-env');
  assert.equal(redisOptions({ url: 'redis://app:p%40ss@h:1' }).password, 'p@ss');
});

test('a Redis that requires a password admits with it and is unreachable without it', { skip }, async () => {
  const secured = await startTestRedis({ password: 's3cret', tcp: true });
  const good = await RedisLimitStore.connect({ url: secured.url, password: 's3cret' }, `auth${++n}:`);
  const bad = await RedisLimitStore.connect(
    { url: secured.url, password: 'wrong', connectTimeoutMs: 300 },
    `auth${n}:`,
  );
  try {
    assert.ok((await good.reserve('a1', [budget(10n, 1n)], Date.now())).ok);
    await assert.rejects(
      bad.reserve('a2', [budget(10n, 1n)], Date.now()),
      (e: unknown) => e instanceof TallyError && e.code === 'unavailable',
    );
  } finally {
    await good.close();
    await bad.close();
    await secured.close();
  }
});

test(
  'while Redis is down reserve fails with unavailable and settlements wait; after a restart they are replayed',
  { skip },
  async () => {
    const r = redis!;
    const prefix = `out${++n}:`;
    let seeded = 0;
    const store = await RedisLimitStore.connect(r.url, prefix, {
      reconnectWaitMs: 50,
      // Plays the gateway's re-seed from the ledger: the store says 300 nanos were already spent.
      recover: async (s) => {
        seeded += 1;
        await s.seed(budget(0n, 0n).id, 300n, Date.now() + 86_400_000);
      },
    });
    try {
      const check = budget(1000n, 100n);
      const held = await store.reserve('h1', [check], Date.now());
      assert.ok(held.ok);
      assert.equal(held.remaining.get(check.id), 600n);
      await r.stop();
      await assert.rejects(
        store.reserve('h2', [check], Date.now()),
        (e: unknown) => e instanceof TallyError && e.code === 'unavailable',
      );
      await store.settle(held.reservation, { tokens: 5n, costNanos: 40n }, Date.now());
      assert.equal(store.parkedSettlements, 1);
      await r.start();
      await until(() => store.isReady);
      // Redis came back empty: it was re-seeded (300) before admitting; the parked settlement found no
      // reservation to release in the empty Redis, so it changed nothing (no double count).
      assert.equal(seeded, 2);
      assert.equal(store.parkedSettlements, 0);
      assert.deepEqual(await store.peek(check.id, 'budget', 1000n, Date.now()), { used: 300n, reserved: 0n });
      const again = await store.reserve('h3', [check], Date.now());
      assert.ok(again.ok);
      assert.equal(again.remaining.get(check.id), 600n);
    } finally {
      await store.close();
    }
  },
);

test('a reservation settled twice, or parked and replayed, is counted once', { skip }, async () => {
  const r = redis!;
  const store = await RedisLimitStore.connect(r.url, `blip${++n}:`, { reconnectWaitMs: 50 });
  try {
    const check = budget(1000n, 100n);
    const held = await store.reserve('b1', [check], Date.now());
    assert.ok(held.ok);
    await r.stop();
    await store.settle(held.reservation, { tokens: 5n, costNanos: 40n }, Date.now());
    await store.settle(held.reservation, { tokens: 5n, costNanos: 40n }, Date.now());
    assert.equal(store.parkedSettlements, 1);
    await r.start();
    await until(() => store.isReady);
    // The restarted server is empty, so write the reservation back as a surviving Redis would hold it.
    const held2 = await store.reserve('b2', [check], Date.now());
    assert.ok(held2.ok);
    await store.settle(held2.reservation, { tokens: 5n, costNanos: 40n }, Date.now());
    await store.settle(held2.reservation, { tokens: 5n, costNanos: 40n }, Date.now());
    assert.deepEqual(await store.peek(check.id, 'budget', 1000n, Date.now()), { used: 40n, reserved: 0n });
  } finally {
    await store.close();
  }
});
