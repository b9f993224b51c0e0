/**
 * One Redis connection for the gateway's shared state (limits, budgets, the exact response cache), through
 * ioredis: AUTH (user/password in the URL or given apart), TLS (`rediss://`, e.g. Azure Cache for Redis on
 * port 6380, with an optional CA file), connect and command timeouts, and reconnection with backoff.
 *
 * Commands never queue while Redis is unreachable (`enableOfflineQueue: false`): they fail at once, so the
 * caller decides — hard budgets refuse (503), soft limits and caches go on without Redis (ADR 0020).
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { TallyError } from '../../core/index.js';

/** How to reach Redis. Secrets arrive resolved (the gateway resolves `env:NAME` references). */
export interface RedisConnectOptions {
  /** `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS) or `unix:///path/to.sock`. */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** TLS settings; `rediss://` turns TLS on with the system CAs when this is absent. */
  readonly tls?:
    | {
        /** PEM file of the CA that signed the server certificate (private CAs). */
        readonly caFile?: string | undefined;
        /** Name checked against the certificate (default: the URL's host). */
        readonly servername?: string | undefined;
        readonly rejectUnauthorized?: boolean | undefined;
      }
    | undefined;
  /** Time to open a connection (TCP + TLS), ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** Time a command may take before it fails, ms: a hung Redis must not hang requests. */
  readonly commandTimeoutMs?: number | undefined;
}

// Reconnect after 50, 100, 200 … ms, at most every 2 s: a restarted Redis is found within ~2 s.
const retryDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2000);

/** ioredis options for `o` (exported for tests: TLS and AUTH are derived here, not at connect time). */
export function redisOptions(o: RedisConnectOptions): RedisOptions {
  const u = new URL(o.url);
  const base: RedisOptions = {
    connectTimeout: o.connectTimeoutMs ?? 2000,
    commandTimeout: o.commandTimeoutMs ?? 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: retryDelay,
    lazyConnect: true,
    // The script text travels once per connection (EVALSHA); no pub/sub, no cluster (keys share one slot).
    enableAutoPipelining: false,
  };
  if (u.protocol === 'unix:') return { ...base, path: decodeURIComponent(u.pathname), ...auth(u, o) };
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new TallyError('invalid_config', `gateway.limits.redis.url: unsupported scheme ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  const opts: RedisOptions = {
    ...base,
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    ...auth(u, o),
  };
  if (u.protocol === 'rediss:' || o.tls) {
    const t = o.tls ?? {};
    opts.tls = {
      servername: t.servername ?? u.hostname,
      rejectUnauthorized: t.rejectUnauthorized ?? true,
      ...(t.caFile ? { ca: readFileSync(t.caFile) } : {}),
    };
  }
  return opts;
}

function auth(u: URL, o: RedisConnectOptions): Pick<RedisOptions, 'username' | 'password'> {
  const username = o.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = o.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/**
 * Opens a Redis connection and waits for it to be ready, up to the connect timeout. When Redis is not
 * reachable yet, the client is returned anyway and keeps reconnecting in the background (`ready` says when).
 */
export async function connectRedis(
  o: RedisConnectOptions,
  onError: (err: Error) => void = () => undefined,
): Promise<{ client: Redis; ready: boolean }> {
  const client = new Redis(redisOptions(o));
  // Without a listener ioredis prints every failed reconnect to stderr; report each outage once instead.
  let reported = false;
  client.on('error', (e: Error) => {
    if (reported) return;
    reported = true;
    onError(new TallyError('unavailable', `redis at ${where(o.url)} is unreachable: ${e.message}`));
  });
  client.on('ready', () => (reported = false));
  const ready = await new Promise<boolean>((ok) => {
    const timer = setTimeout(() => ok(false), (o.connectTimeoutMs ?? 2000) + 100);
    client.once('ready', () => {
      clearTimeout(timer);
      ok(true);
    });
    client.connect().catch(() => undefined);
  });
  return { client, ready };
}

/** The URL without its credentials, for messages. */
export function where(url: string): string {
  const u = new URL(url);
  return u.protocol === 'unix:' ? u.pathname : `${u.protocol}//${u.host}`;
}

/** A failed command as the one error family: a Redis error reply or an unreachable/timed-out Redis. */
export function redisFailure(e: unknown, what: string): TallyError {
  if (e instanceof TallyError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TallyError('unavailable', `${what}: redis ${msg}`);
}
