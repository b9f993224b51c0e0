/**
 * Redis LimitStore, for several gateway replicas sharing one set of limits (LiteLLM's per-pod TPM check is the
 * bug this avoids: a limit must not multiply by the number of replicas). Each operation is one Lua script, so
 * check-and-reserve over all of a request's counters is atomic in Redis.
 *
 * Layout: `<prefix>c:<counter id>` is a hash — rate: {level, ts}; window: {used, reserved, alerted};
 * `<prefix>r:<reservation id>` marks an unsettled reservation (settle deletes it: idempotent).
 * Amounts are integers (tokens, nano-USD) kept with HINCRBY (exact int64); Lua compares them as doubles,
 * exact below 2^53 nanos (≈ $9M per window). All keys of one script must share a slot: no Redis Cluster.
 */
import { createHash } from 'node:crypto';
import { TallyError } from '../../core/index.js';
import { RespClient, RespError, type RespValue } from './_resp.js';
import type {
  ActualUse,
  CounterState,
  LimitCheck,
  LimitKind,
  LimitStore,
  Reservation,
  ReserveResult,
} from './limit-store.js';

// Fixed-window counters outlive their window by an hour so late settlements still land; buckets idle out.
const GRACE_MS = 3_600_000;
const BUCKET_TTL_MS = 120_000;

const BUCKET_FN = `
local function bucket(key, limit, now)
  local h = redis.call('HMGET', key, 'level', 'ts')
  local level = tonumber(h[1]) or limit
  local ts = tonumber(h[2]) or now
  if now > ts then level = math.min(limit, level + (now - ts) * limit / 60000) end
  return level
end
`;

const RESERVE = `${BUCKET_FN}
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local function arg(i, f) return ARGV[2 + (i - 1) * 5 + f] end
for i = 1, n do
  local kind, limit, amount = arg(i, 1), tonumber(arg(i, 2)), tonumber(arg(i, 3))
  if arg(i, 4) == '1' then
    if kind == 'rate' then
      local level = bucket(KEYS[i], limit, now)
      local need = math.min(amount, limit)
      if level < need then
        return {0, i, math.ceil((need - level) * 60000 / limit), math.max(0, math.floor(level))}
      end
    else
      local h = redis.call('HMGET', KEYS[i], 'used', 'reserved')
      local left = limit - (tonumber(h[1]) or 0) - (tonumber(h[2]) or 0)
      if left < amount then
        return {0, i, math.max(0, tonumber(arg(i, 5)) - now), math.max(0, left)}
      end
    end
  end
end
local out = {1}
for i = 1, n do
  local kind, limit, amount = arg(i, 1), tonumber(arg(i, 2)), tonumber(arg(i, 3))
  if kind == 'rate' then
    local level = bucket(KEYS[i], limit, now) - amount
    redis.call('HSET', KEYS[i], 'level', tostring(level), 'ts', tostring(now))
    redis.call('PEXPIRE', KEYS[i], ${BUCKET_TTL_MS})
    out[#out + 1] = math.max(0, math.floor(level))
    out[#out + 1] = 0
  else
    local reserved = redis.call('HINCRBY', KEYS[i], 'reserved', arg(i, 3))
    redis.call('PEXPIREAT', KEYS[i], tonumber(arg(i, 5)) + ${GRACE_MS})
    local left = limit - (tonumber(redis.call('HGET', KEYS[i], 'used')) or 0) - reserved
    out[#out + 1] = math.max(0, left)
    local breach = 0
    if arg(i, 4) == '0' and left < 0 and redis.call('HSETNX', KEYS[i], 'alerted', '1') == 1 then breach = 1 end
    out[#out + 1] = breach
  end
end
redis.call('SET', KEYS[n + 1], '1', 'PX', ${GRACE_MS})
return out
`;

const SETTLE = `${BUCKET_FN}
local n = tonumber(ARGV[2])
if redis.call('DEL', KEYS[n + 1]) == 0 then return 0 end
local now = tonumber(ARGV[1])
for i = 1, n do
  local base = 4 + (i - 1) * 3
  local kind, limit, amount = ARGV[base + 1], tonumber(ARGV[base + 2]), ARGV[base + 3]
  local used = kind == 'budget' and ARGV[4] or ARGV[3]
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if kind == 'rate' then
      local level = math.min(limit, bucket(KEYS[i], limit, now) + tonumber(amount) - tonumber(used))
      redis.call('HSET', KEYS[i], 'level', tostring(level), 'ts', tostring(now))
    else
      -- HINCRBY rejects "-0", so zero amounts are skipped.
      if amount ~= '0' then redis.call('HINCRBY', KEYS[i], 'reserved', '-' .. amount) end
      if used ~= '0' then redis.call('HINCRBY', KEYS[i], 'used', used) end
    end
  end
end
return 1
`;

const SEED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'used', ARGV[1], 'reserved', '0')
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[2]) + ${GRACE_MS})
return 1
`;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const int = (v: RespValue): number => (typeof v === 'number' ? v : Number(v));

/** The Redis LimitStore (shared by every replica pointing at the same Redis and prefix). */
export class RedisLimitStore implements LimitStore {
  private reconnecting: Promise<RespClient> | null = null;
  private closing = false;

  private constructor(
    private client: RespClient,
    private readonly url: string,
    private readonly prefix: string,
  ) {}

  /** Connects to `redis://host:port` or `unix:///path`; `prefix` namespaces the keys (one per deployment). */
  static async connect(url: string, prefix = 'tally:lim:'): Promise<RedisLimitStore> {
    return new RedisLimitStore(await RespClient.connect(url), url, prefix);
  }

  /** The live connection; after a drop, one shared reconnect (requests fail closed with 503 until it works). */
  private async conn(): Promise<RespClient> {
    if (this.client.open || this.closing) return this.client;
    this.reconnecting ??= RespClient.connect(this.url)
      .then((c) => (this.client = c))
      .finally(() => (this.reconnecting = null));
    return this.reconnecting;
  }

  private key(id: string): string {
    return `${this.prefix}c:${id}`;
  }

  /** Runs a script by hash, loading it on first use (NOSCRIPT) — the script text is sent once per server. */
  private async script(
    src: string,
    keys: readonly string[],
    args: readonly (string | number | bigint)[],
  ): Promise<RespValue> {
    const client = await this.conn();
    const call = (cmd: string, body: string) => client.command([cmd, body, keys.length, ...keys, ...args]);
    try {
      return await call('EVALSHA', sha1(src));
    } catch (e) {
      if (e instanceof RespError && e.message.startsWith('NOSCRIPT')) return call('EVAL', src);
      if (e instanceof RespError)
        throw new TallyError('unavailable', `redis limit script failed: ${e.message}`);
      throw e;
    }
  }

  async reserve(reservationId: string, checks: readonly LimitCheck[], nowMs: number): Promise<ReserveResult> {
    const args: (string | number | bigint)[] = [nowMs, checks.length];
    for (const c of checks) args.push(c.kind, c.limit, c.amount, c.hard ? '1' : '0', c.resetAt);
    const keys = [...checks.map((c) => this.key(c.id)), `${this.prefix}r:${reservationId}`];
    const r = (await this.script(RESERVE, keys, args)) as RespValue[];
    if (int(r[0]!) === 0) {
      const check = checks[int(r[1]!) - 1]!;
      return { ok: false, check, retryAfterMs: int(r[2]!), remaining: BigInt(int(r[3]!)) };
    }
    const remaining = new Map<string, bigint>();
    const softBreaches: LimitCheck[] = [];
    checks.forEach((c, i) => {
      remaining.set(c.id, BigInt(int(r[1 + i * 2]!)));
      if (int(r[2 + i * 2]!) === 1) softBreaches.push(c);
    });
    return { ok: true, reservation: { id: reservationId, checks }, remaining, softBreaches };
  }

  async settle(reservation: Reservation, actual: ActualUse, nowMs: number): Promise<void> {
    const cs = reservation.checks;
    const args: (string | number | bigint)[] = [nowMs, cs.length, actual.tokens, actual.costNanos];
    for (const c of cs) args.push(c.kind, c.limit, c.amount);
    await this.script(SETTLE, [...cs.map((c) => this.key(c.id)), `${this.prefix}r:${reservation.id}`], args);
  }

  async seed(id: string, used: bigint, resetAt: number): Promise<void> {
    await this.script(SEED, [this.key(id)], [used, resetAt]);
  }

  async peek(id: string, kind: LimitKind, limit: bigint, nowMs: number): Promise<CounterState | null> {
    const h = (await (await this.conn()).command(['HGETALL', this.key(id)])) as string[];
    if (h.length === 0) return null;
    const m = new Map<string, string>();
    for (let i = 0; i < h.length; i += 2) m.set(h[i]!, h[i + 1]!);
    if (m.has('level')) {
      let level = Number(m.get('level'));
      const ts = Number(m.get('ts'));
      if (kind === 'rate' && nowMs > ts)
        level = Math.min(Number(limit), level + ((nowMs - ts) * Number(limit)) / 60_000);
      return { used: BigInt(Math.floor(level)), reserved: 0n };
    }
    return { used: BigInt(m.get('used') ?? '0'), reserved: BigInt(m.get('reserved') ?? '0') };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.close();
  }
}
