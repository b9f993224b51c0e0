/**
 * Redis LimitStore, for several gateway replicas sharing one set of limits (LiteLLM's per-pod TPM check is the
 * bug this avoids: a limit must not multiply by the number of replicas). Each operation is one Lua script, so
 * check-and-reserve over all of a request's counters is atomic in Redis.
 *
 * Layout: `<prefix>c:<counter id>` is a hash — rate: {level, ts}; window: {used, reserved, alerted};
 * `<prefix>r:<reservation id>` marks an unsettled reservation (settle deletes it: idempotent).
 * Amounts are integers (tokens, nano-USD) kept with HINCRBY (exact int64); Lua compares them as doubles,
 * exact below 2^53 nanos (≈ $9M per window). All keys of one script must share a slot: no Redis Cluster.
 *
 * Outages (ADR 0020): while Redis is unreachable `reserve` fails with `unavailable` (admission decides what
 * that means per check), settlements wait in memory and are replayed when Redis is back, and a Redis that came
 * back empty (restarted without persistence) is re-seeded from the store before it admits again.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TallyError } from '../../core/index.js';
import { connectRedis, redisFailure, type RedisConnectOptions } from './_redis-conn.js';
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
-- Idempotent per reservation id: a retry after a dropped connection must not reserve twice.
if redis.call('EXISTS', KEYS[n + 1]) == 1 then return {2} end
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
const SCRIPTS = { reserve: RESERVE, settle: SETTLE, seed: SEED } as const;
const SHAS = { reserve: sha1(RESERVE), settle: sha1(SETTLE), seed: sha1(SEED) } as const;
type Reply = string | number | null | Reply[];
const int = (v: Reply | undefined): number => (typeof v === 'number' ? v : Number(v));
const arg = (v: string | number | bigint): string | number => (typeof v === 'bigint' ? v.toString() : v);

// Settlements waiting for Redis to come back; past this many the oldest are dropped (and reported): their
// reservations then expire with their window instead of being released.
const MAX_PENDING_SETTLES = 100_000;
// ioredis's messages for a command refused or cut off because the connection is down.
const DROPPED = /enableOfflineQueue|Connection is closed|max retries per request/;

/** Options beyond the connection. */
export interface RedisLimitOptions {
  /** Key namespace (one per deployment). */
  readonly prefix?: string;
  /** How long `reserve` waits for a reconnect in progress before it fails (ms): a blip is not an outage. */
  readonly reconnectWaitMs?: number;
  /** Runs before admitting after Redis came back empty (the gateway re-seeds budgets from the store). */
  readonly recover?: (store: RedisLimitStore) => Promise<unknown>;
  /** Outages, failed recoveries and dropped settlements. */
  readonly onError?: (err: Error) => void;
}

/** The Redis LimitStore (shared by every replica pointing at the same Redis and prefix). */
export class RedisLimitStore implements LimitStore {
  private ready = false;
  private recovering: Promise<void> | null = null;
  private closing = false;
  private readonly pending = new Map<
    string,
    { reservation: Reservation; actual: ActualUse; nowMs: number }
  >();
  private readonly prefix: string;
  private readonly waitMs: number;

  /** Uses `client` (owned by the caller unless `owns`); readiness follows its `ready`/`close` events. */
  constructor(
    private readonly client: Redis,
    private readonly opts: RedisLimitOptions = {},
    private readonly owns = false,
  ) {
    this.prefix = opts.prefix ?? 'tally:lim:';
    this.waitMs = opts.reconnectWaitMs ?? 250;
    client.on('ready', () => void this.recover());
    client.on('close', () => (this.ready = false));
    if (client.status === 'ready') void this.recover();
  }

  /** Connects to `redis://`, `rediss://` or `unix://` (a URL or full options) with its own client. */
  static async connect(
    conn: string | RedisConnectOptions,
    prefix = 'tally:lim:',
    opts: Omit<RedisLimitOptions, 'prefix'> = {},
  ): Promise<RedisLimitStore> {
    const o = typeof conn === 'string' ? { url: conn } : conn;
    const { client } = await connectRedis(o, opts.onError);
    const store = new RedisLimitStore(client, { ...opts, prefix }, true);
    await store.whenReady(o.connectTimeoutMs ?? 2000);
    return store;
  }

  /** True while Redis is connected and, after an outage, recovered (counters present, settlements replayed). */
  get isReady(): boolean {
    return this.ready;
  }

  /** Waits up to `ms` for readiness; true when ready. */
  async whenReady(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    const up = () => this.ready && this.client.status === 'ready';
    while (!up() && !this.closing && Date.now() < until) {
      if (this.recovering) await Promise.race([this.recovering, sleep(until - Date.now())]);
      else await sleep(Math.min(20, Math.max(1, until - Date.now())));
    }
    return up();
  }

  /** After every (re)connect: re-seed when Redis lost its data, replay parked settlements, then admit again. */
  private recover(): Promise<void> {
    this.recovering ??= this.recoverOnce()
      .then(() => {
        this.ready = this.client.status === 'ready';
      })
      .catch((e: unknown) => {
        this.opts.onError?.(redisFailure(e, 'limits recovery failed (retrying in 1 s)'));
        if (!this.closing && this.client.status === 'ready')
          setTimeout(() => void this.recover(), 1000).unref();
      })
      .finally(() => (this.recovering = null));
    return this.recovering;
  }

  private async recoverOnce(): Promise<void> {
    const marker = `${this.prefix}seeded`;
    if (this.opts.recover && (await this.client.exists(marker)) === 0) {
      await this.opts.recover(this);
      await this.client.set(marker, '1');
    }
    for (const [id, p] of [...this.pending]) {
      await this.runSettle(p.reservation, p.actual, p.nowMs);
      this.pending.delete(id);
    }
  }

  private key(id: string): string {
    return `${this.prefix}c:${id}`;
  }

  /** Runs a script by hash, loading it on first use (NOSCRIPT): the script text is sent once per server. */
  private async script(
    name: keyof typeof SCRIPTS,
    keys: readonly string[],
    args: readonly (string | number | bigint)[],
  ): Promise<Reply> {
    const all = [...keys, ...args.map(arg)];
    try {
      return (await this.client.evalsha(SHAS[name], keys.length, ...all)) as Reply;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('NOSCRIPT'))
        return (await this.client.eval(SCRIPTS[name], keys.length, ...all)) as Reply;
      throw e;
    }
  }

  async reserve(reservationId: string, checks: readonly LimitCheck[], nowMs: number): Promise<ReserveResult> {
    await this.ensureReady();
    const args: (string | number | bigint)[] = [nowMs, checks.length];
    for (const c of checks) args.push(c.kind, c.limit, c.amount, c.hard ? '1' : '0', c.resetAt);
    const keys = [...checks.map((c) => this.key(c.id)), `${this.prefix}r:${reservationId}`];
    let r: Reply[];
    try {
      r = (await this.script('reserve', keys, args)) as Reply[];
    } catch (e) {
      // A connection that dropped: wait for the reconnect and retry once (the script is idempotent per
      // reservation id, so a first run that did reach Redis is not counted twice). Timeouts are not retried.
      if (!(e instanceof Error && DROPPED.test(e.message))) throw redisFailure(e, 'limit reservation failed');
      this.ready = false;
      await this.ensureReady();
      try {
        r = (await this.script('reserve', keys, args)) as Reply[];
      } catch (e2) {
        throw redisFailure(e2, 'limit reservation failed');
      }
    }
    if (int(r[0]) === 2) {
      // Already reserved by a first attempt whose reply was lost: granted; what is left is not known here.
      const remaining = new Map(checks.map((c) => [c.id, 0n] as const));
      return { ok: true, reservation: { id: reservationId, checks }, remaining, softBreaches: [] };
    }
    if (int(r[0]) === 0) {
      const check = checks[int(r[1]) - 1]!;
      return { ok: false, check, retryAfterMs: int(r[2]), remaining: BigInt(int(r[3])) };
    }
    const remaining = new Map<string, bigint>();
    const softBreaches: LimitCheck[] = [];
    checks.forEach((c, i) => {
      remaining.set(c.id, BigInt(int(r[1 + i * 2])));
      if (int(r[2 + i * 2]) === 1) softBreaches.push(c);
    });
    return { ok: true, reservation: { id: reservationId, checks }, remaining, softBreaches };
  }

  private async ensureReady(): Promise<void> {
    if (this.ready && this.client.status === 'ready') return;
    if (!(await this.whenReady(this.waitMs)))
      throw new TallyError('unavailable', 'the shared limits store (Redis) is unreachable');
  }

  /** Settles, or parks the settlement until Redis is back (it is idempotent per reservation, so a replay is safe). */
  async settle(reservation: Reservation, actual: ActualUse, nowMs: number): Promise<void> {
    try {
      if (!this.ready) throw new TallyError('unavailable', 'redis not ready');
      await this.runSettle(reservation, actual, nowMs);
    } catch {
      if (this.pending.size >= MAX_PENDING_SETTLES) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
        this.opts.onError?.(
          new TallyError('unavailable', 'redis unreachable: a parked settlement was dropped'),
        );
      }
      this.pending.set(reservation.id, { reservation, actual, nowMs });
    }
  }

  private async runSettle(reservation: Reservation, actual: ActualUse, nowMs: number): Promise<void> {
    const cs = reservation.checks;
    const args: (string | number | bigint)[] = [nowMs, cs.length, actual.tokens, actual.costNanos];
    for (const c of cs) args.push(c.kind, c.limit, c.amount);
    await this.script(
      'settle',
      [...cs.map((c) => this.key(c.id)), `${this.prefix}r:${reservation.id}`],
      args,
    );
  }

  /** Settlements waiting for Redis (for tests and metrics). */
  get parkedSettlements(): number {
    return this.pending.size;
  }

  async seed(id: string, used: bigint, resetAt: number): Promise<void> {
    try {
      await this.script('seed', [this.key(id)], [used, resetAt]);
    } catch (e) {
      throw redisFailure(e, 'limit seeding failed');
    }
  }

  async peek(id: string, kind: LimitKind, limit: bigint, nowMs: number): Promise<CounterState | null> {
    let h: Record<string, string>;
    try {
      h = await this.client.hgetall(this.key(id));
    } catch (e) {
      throw redisFailure(e, 'limit read failed');
    }
    if (Object.keys(h).length === 0) return null;
    if (h['level'] !== undefined) {
      let level = Number(h['level']);
      const ts = Number(h['ts']);
      if (kind === 'rate' && nowMs > ts)
        level = Math.min(Number(limit), level + ((nowMs - ts) * Number(limit)) / 60_000);
      return { used: BigInt(Math.floor(level)), reserved: 0n };
    }
    return { used: BigInt(h['used'] ?? '0'), reserved: BigInt(h['reserved'] ?? '0') };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.ready = false;
    if (this.owns) this.client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, Math.max(0, ms)));
