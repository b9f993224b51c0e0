/**
 * Exact response cache in Redis, shared by every replica on the same Redis and prefix: an answer cached by one
 * replica is a hit on the others. Keys are the same tenant-scoped hashes as in memory (`exactCacheKey`), so the
 * scoping rules do not change. Bounded like the memory cache, by entry count and bytes, with a TTL per entry;
 * over a bound, the entries closest to expiry go first (with one TTL that is oldest first, not LRU: a hit does
 * not write to Redis).
 *
 * Layout under `<prefix>x`: `<prefix>x:<key>` holds one entry (PX ttl); `<prefix>x#index` orders keys by
 * expiry; `<prefix>x#sizes` holds each entry's bytes and the total under `#bytes`. One Lua script per write
 * keeps the three consistent. Entry value: uint32 header length, header JSON (usage, cost), then the body.
 *
 * Redis unreachable: a lookup is a miss and a write is skipped (the cache degrades open; ADR 0020).
 */
import type { Redis } from 'ioredis';
import type { Usage } from '../_context.js';
import type { CacheEntry, ResponseCache } from './response-cache.js';

// Rough per-entry overhead in Redis (key, index member, size field), bytes: same role as in memory.ts.
const OVERHEAD_BYTES = 256;
// Bookkeeping of expired entries cleaned per write, so one write never does unbounded work.
const EXPIRED_PER_WRITE = 100;

const SET = `
local now = tonumber(ARGV[3])
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ${EXPIRED_PER_WRITE})
for _, k in ipairs(gone) do
  local b = redis.call('HGET', KEYS[3], k)
  if b then
    redis.call('HINCRBY', KEYS[3], '#bytes', -tonumber(b))
    redis.call('HDEL', KEYS[3], k)
  end
  redis.call('ZREM', KEYS[2], k)
end
local old = redis.call('HGET', KEYS[3], KEYS[1])
if old then redis.call('HINCRBY', KEYS[3], '#bytes', -tonumber(old)) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], ARGV[6])
local total = redis.call('HINCRBY', KEYS[3], '#bytes', ARGV[6])
local maxEntries, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
while redis.call('ZCARD', KEYS[2]) > maxEntries or total > maxBytes do
  local v = redis.call('ZPOPMIN', KEYS[2])
  if #v == 0 then break end
  redis.call('DEL', v[1])
  local b = redis.call('HGET', KEYS[3], v[1])
  if b then
    total = redis.call('HINCRBY', KEYS[3], '#bytes', -tonumber(b))
    redis.call('HDEL', KEYS[3], v[1])
  end
end
return redis.call('ZCARD', KEYS[2])
`;

interface Header {
  u: Usage;
  c: string;
}

/** The Redis ResponseCache. */
export class RedisResponseCache implements ResponseCache {
  private entries = 0;
  private failing = false;
  private readonly index: string;
  private readonly sizes: string;

  constructor(
    private readonly client: Redis,
    private readonly limits: { maxEntries: number; maxBytes: number },
    private readonly prefix = 'tally:lim:',
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    this.index = `${prefix}x#index`;
    this.sizes = `${prefix}x#sizes`;
  }

  async get(key: string, nowMs: number): Promise<CacheEntry | undefined> {
    void nowMs; // Redis expires entries itself (PX).
    let raw: Buffer | null;
    try {
      raw = await this.client.getBuffer(this.key(key));
      this.failing = false;
    } catch (e) {
      this.report(e);
      return undefined;
    }
    return raw ? decode(raw) : undefined;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number, nowMs: number): Promise<void> {
    const value = encode(entry);
    const bytes = value.length + key.length + OVERHEAD_BYTES;
    if (bytes > this.limits.maxBytes) return;
    const k = this.key(key);
    try {
      const n = await this.client.eval(
        SET,
        3,
        k,
        this.index,
        this.sizes,
        value,
        Math.max(1, Math.floor(ttlMs)),
        nowMs,
        this.limits.maxEntries,
        this.limits.maxBytes,
        bytes,
      );
      this.entries = Number(n);
      this.failing = false;
    } catch (e) {
      this.report(e);
    }
  }

  /** Entries held after this process's last write (the index is shared; exact count with `count()`). */
  size(): number {
    return this.entries;
  }

  /** Entries in the shared index now, and their bytes (for tests). */
  async count(): Promise<{ entries: number; bytes: number }> {
    const [entries, bytes] = await Promise.all([
      this.client.zcard(this.index),
      this.client.hget(this.sizes, '#bytes'),
    ]);
    return { entries, bytes: Number(bytes ?? 0) };
  }

  private key(key: string): string {
    return `${this.prefix}x:${key}`;
  }

  // One report per outage: a down Redis would otherwise log once per request.
  private report(e: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.onError(new Error(`response cache (redis) unavailable, serving without it: ${String(e)}`));
  }
}

function encode(e: CacheEntry): Buffer {
  const header: Header = { u: e.usage, c: e.costNanos.toString() };
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length);
  return Buffer.concat([len, h, e.body]);
}

function decode(raw: Buffer): CacheEntry | undefined {
  if (raw.length < 4) return undefined;
  const n = raw.readUInt32BE(0);
  if (raw.length < 4 + n) return undefined;
  try {
    const h = JSON.parse(raw.toString('utf8', 4, 4 + n)) as Header;
    return { usage: h.u, costNanos: BigInt(h.c), body: raw.subarray(4 + n) };
  } catch {
    return undefined;
  }
}
