/** The Redis exact cache against a real redis-server (skipped when not installed): shared, bounded, degrading open. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { hasRedisServer, startTestRedis, type TestRedis } from '../testing/redis-server.js';
import { connectRedis } from '../limits/index.js';
import { RedisResponseCache, type CacheEntry } from './index.js';

const skip = !hasRedisServer && 'redis-server is not installed';
let redis: TestRedis | null = null;
const clients: Redis[] = [];
let n = 0;
before(async () => {
  if (hasRedisServer) redis = await startTestRedis();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await redis?.close();
});

async function client(): Promise<Redis> {
  const { client: c } = await connectRedis({ url: redis!.url, connectTimeoutMs: 500 });
  clients.push(c);
  return c;
}
const entry = (text: string, cost = 5n): CacheEntry => ({
  body: Buffer.from(text),
  usage: { inputTokens: 3, cachedInputTokens: 1, outputTokens: 2, reasoningTokens: 0, source: 'reported' },
  costNanos: cost,
});

test(
  'an answer cached through one replica is a hit through another, body, usage and cost intact',
  { skip },
  async () => {
    const prefix = `share${++n}:`;
    const a = new RedisResponseCache(await client(), { maxEntries: 10, maxBytes: 100_000 }, prefix);
    const b = new RedisResponseCache(await client(), { maxEntries: 10, maxBytes: 100_000 }, prefix);
    const big = 123_456_789_012_345_678_901n; // past 2^64: costs stay exact
    await a.set('k', entry('{"id":"chatcmpl-1"}', big), 60_000, Date.now());
    const hit = await b.get('k', Date.now());
    assert.ok(hit);
    assert.equal(hit.body.toString(), '{"id":"chatcmpl-1"}');
    assert.equal(hit.costNanos, big);
    assert.deepEqual(hit.usage, entry('').usage);
    assert.equal(await b.get('other', Date.now()), undefined);
    // Another deployment's prefix is another cache.
    const c = new RedisResponseCache(await client(), { maxEntries: 10, maxBytes: 100_000 }, `other${n}:`);
    assert.equal(await c.get('k', Date.now()), undefined);
  },
);

test(
  'the shared cache holds at most maxEntries and maxBytes, and entries expire with their TTL',
  { skip },
  async () => {
    const prefix = `bound${++n}:`;
    const few = new RedisResponseCache(await client(), { maxEntries: 2, maxBytes: 100_000 }, prefix);
    const now = Date.now();
    await few.set('a', entry('A'), 10_000, now);
    await few.set('b', entry('B'), 20_000, now);
    await few.set('c', entry('C'), 30_000, now);
    assert.equal((await few.count()).entries, 2);
    assert.equal(await few.get('a', now), undefined, 'the entry closest to expiry went first');
    assert.ok(await few.get('c', now));
    const small = new RedisResponseCache(await client(), { maxEntries: 100, maxBytes: 1000 }, `${prefix}s:`);
    await small.set('x', entry('x'.repeat(400)), 10_000, now);
    await small.set('y', entry('y'.repeat(400)), 20_000, now);
    const held = await small.count();
    assert.equal(held.entries, 1);
    assert.ok(held.bytes <= 1000);
    await small.set('huge', entry('z'.repeat(5000)), 10_000, now);
    assert.equal(await small.get('huge', now), undefined);
    const short = new RedisResponseCache(
      await client(),
      { maxEntries: 10, maxBytes: 100_000 },
      `${prefix}t:`,
    );
    await short.set('soon', entry('S'), 50, now);
    await new Promise((ok) => setTimeout(ok, 120));
    assert.equal(await short.get('soon', Date.now()), undefined);
  },
);

test(
  'with Redis down a lookup is a miss and a write is skipped, reported once; it works again after',
  { skip },
  async () => {
    const r = redis!;
    const errors: Error[] = [];
    const c = new RedisResponseCache(
      await client(),
      { maxEntries: 10, maxBytes: 100_000 },
      `down${++n}:`,
      (e) => errors.push(e),
    );
    await c.set('k', entry('before'), 60_000, Date.now());
    await r.stop();
    assert.equal(await c.get('k', Date.now()), undefined);
    await c.set('k2', entry('during'), 60_000, Date.now());
    assert.equal(await c.get('k2', Date.now()), undefined);
    assert.equal(errors.length, 1);
    await r.start();
    const end = Date.now() + 10_000;
    for (;;) {
      await c.set('k3', entry('after'), 60_000, Date.now());
      if (await c.get('k3', Date.now())) break;
      assert.ok(Date.now() < end, 'the cache did not come back after Redis restarted');
      await new Promise((ok) => setTimeout(ok, 50));
    }
  },
);
