/**
 * PostgreSQL connection settings: a `postgres://` URL plus TLS and timeout options, turned into the `pg`
 * driver's pool config. The password never reaches a message: `maskStoreUrl` is what `location` and errors show.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { TallyError } from '../../core/index.js';

import { SSL_MODES, maskStoreUrl, type PostgresStoreOptions, type SslMode } from './url.js';

/** Pool config for `pg` from the options. */
export function poolConfig(opts: PostgresStoreOptions): pg.PoolConfig {
  let u: URL;
  try {
    // libpq accepts an empty host after credentials (postgres://user@/db?host=/run/sock); WHATWG URLs do not.
    u = new URL(opts.url.replace(/@\//, '@localhost/'));
  } catch {
    throw new TallyError(
      'invalid_config',
      `store URL ${maskStoreUrl(opts.url)} is not a valid postgres:// URL`,
    );
  }
  const q = u.searchParams;
  const mode = opts.sslMode ?? (q.get('sslmode') as SslMode | null) ?? 'disable';
  if (!SSL_MODES.includes(mode))
    throw new TallyError('invalid_config', `sslmode "${mode}" is not one of ${SSL_MODES.join(', ')}`);
  const caFile = opts.sslCaFile ?? q.get('sslrootcert') ?? undefined;
  const statementTimeout = opts.statementTimeoutMs ?? 120_000;
  return {
    // A `host` parameter names a unix-socket directory (libpq's convention), else the URL's host.
    host: q.get('host') ?? (decodeURIComponent(u.hostname) || 'localhost'),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    ssl: sslOptions(mode, caFile),
    max: opts.poolSize ?? 10,
    statement_timeout: statementTimeout,
    // A lost connection is noticed within a minute instead of a TCP timeout's hours.
    keepAlive: true,
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'tally',
    // Timestamps are UTC everywhere: day and hour buckets must not follow the server's zone.
    options: '-c TimeZone=UTC',
    types: { getTypeParser },
  };
}

function sslOptions(mode: SslMode, caFile: string | undefined): false | ConnectionOptions {
  if (mode === 'disable' || mode === 'prefer') return false;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new TallyError('invalid_config', `cannot read the CA file ${caFile}: ${(err as Error).message}`, {
        file: caFile,
      });
    }
  }
  if (mode === 'require') return { rejectUnauthorized: false, ...(ca ? { ca } : {}) };
  // verify-ca checks the chain but not the name; verify-full checks both (Node's default check).
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

const OID = {
  int8: 20,
  numeric: 1700,
  timestamp: 1114,
  timestamptz: 1184,
  date: 1082,
  json: 114,
  jsonb: 3802,
} as const;

const defaultTimestamp = pg.types.getTypeParser(OID.timestamptz);

/**
 * Values as DuckDB's backend returns them (JSON-safe): integers as numbers when exact (else their digits),
 * decimals as numbers, timestamps as ISO strings, dates as YYYY-MM-DD, JSON as its text. Exact money is read
 * with an explicit ::text cast where it matters.
 */
// The driver's own parser type is an overloaded generic; ours returns plain values per oid.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function getTypeParser(oid: number, format?: any): any {
  switch (oid) {
    case OID.int8:
      return (v: string) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v;
      };
    case OID.numeric:
      return (v: string) => Number(v);
    case OID.timestamp:
    case OID.timestamptz:
      return (v: string) => {
        const d = defaultTimestamp(v) as Date | string;
        return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : String(v);
      };
    case OID.date:
    case OID.json:
    case OID.jsonb:
      return (v: string) => v;
    default:
      return pg.types.getTypeParser(oid, format);
  }
}

/** Rewrites a driver error so that no URL with a password leaks through its message. */
export function connectError(url: string, err: unknown): TallyError {
  const msg = err instanceof Error ? err.message : String(err);
  const safe = msg.split(url).join(maskStoreUrl(url));
  return new TallyError(
    'unavailable',
    `cannot reach the PostgreSQL store ${maskStoreUrl(url)}: ${safe}`,
    { store: maskStoreUrl(url) },
    { cause: err },
  );
}
