/**
 * store: the CostStore interface, the canonical FOCUS column list, the UsageEvent row type, and backends (DuckDB,
 * PostgreSQL; ClickHouse later).
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DuckDBStore } from './duckdb/index.js';
import type { DuckDBStoreOptions } from './duckdb/handle.js';
import type { PostgresStore } from './postgres/index.js';
import { isPostgresUrl, type PostgresStoreOptions, type SslMode } from './postgres/url.js';
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from './store.js';

export * from './store.js';
export * from './_access.js';
export * from './usage-event.js';
export * from './focus-columns.js';
export { copyStore, type CopySummary, type CopiedTable } from './sql/copy.js';
export * from './reports.js';
export { SqlStore } from './sql/sql-store.js';
export type { Dialect, SqlRunner } from './sql/dialect.js';
// The backends' drivers (DuckDB's native library, `pg`) load when a store of theirs is opened, not when this
// door is imported: store-less commands (`forecast --series`) and the series workers never pay for them.
export { duckdbSql, type DuckDBSql, type DuckDBStoreOptions } from './duckdb/handle.js';
export type { DuckDBStore } from './duckdb/index.js';
export type { PostgresStore } from './postgres/index.js';
export {
  isPostgresUrl,
  maskStoreUrl,
  SSL_MODES,
  type SslMode,
  type PostgresStoreOptions,
} from './postgres/url.js';

/** Opens (creating and migrating if needed) a DuckDB store. */
export async function openDuckDBStore(opts: DuckDBStoreOptions): Promise<DuckDBStore> {
  return (await import('./duckdb/index.js')).openDuckDBStore(opts);
}

/** Opens a PostgreSQL store: connects, applies pending migrations (one process at a time), and returns it. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  return (await import('./postgres/index.js')).openPostgresStore(opts);
}

/** Default store file, under the working directory. */
export const DEFAULT_DB_PATH = '.tally/tally.duckdb';

/**
 * Resolves the store: --db, then TALLY_DB, then config store.url, then config store.path, then the default.
 * A postgres:// URL is returned as given; a path is made absolute.
 */
export function resolveDbPath(opts: {
  db?: string | undefined;
  configPath?: string | undefined;
  configUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  // An empty value (TALLY_DB= or --db '') means unset, never the working directory itself.
  const p = opts.db || env['TALLY_DB'] || opts.configUrl || opts.configPath || DEFAULT_DB_PATH;
  return p === ':memory:' || isPostgresUrl(p) ? p : resolve(cwd, p);
}

/**
 * A local file path to hang a store's side files on (ledger WAL, demo exports, quarantine, state files): the
 * store path itself for a file, and for a server URL `.tally/postgres-<host>-<db>-<hash>` under the working
 * directory (the hash of the URL without its password tells two servers with the same names apart).
 */
export function localBaseFor(location: string, cwd = process.cwd()): string {
  if (!isPostgresUrl(location)) return location;
  let host = 'server';
  let db = 'db';
  let key = location;
  try {
    const u = new URL(location);
    host = `${u.hostname || 'local'}${u.port ? `-${u.port}` : ''}`;
    db = u.pathname.replace(/^\//, '') || 'db';
    u.password = '';
    key = u.toString();
  } catch {
    // keep the defaults
  }
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return join(resolve(cwd, '.tally'), `postgres-${safe(host)}-${safe(db)}-${hash}`);
}

/** The `store:` config section's options for openStore (DuckDB's sizing; PostgreSQL's TLS, timeout and pool). */
export function storeSettings(cfg: TallyConfig['store']) {
  return {
    memoryLimit: cfg.memoryLimit,
    threads: cfg.threads,
    sslMode: cfg.sslMode,
    sslCaFile: cfg.sslCaFile,
    statementTimeoutMs: cfg.statementTimeoutMs,
    poolSize: cfg.poolSize,
  };
}

/** Opens the configured store: a PostgreSQL server for a postgres:// URL, else a DuckDB file. */
export async function openStore(opts: {
  path: string;
  readOnly?: boolean;
  memoryLimit?: string | undefined;
  threads?: number | undefined;
  sslMode?: SslMode | undefined;
  sslCaFile?: string | undefined;
  statementTimeoutMs?: number | undefined;
  poolSize?: number | undefined;
}): Promise<CostStore> {
  if (isPostgresUrl(opts.path))
    return openPostgresStore({
      url: opts.path,
      sslMode: opts.sslMode,
      sslCaFile: opts.sslCaFile,
      statementTimeoutMs: opts.statementTimeoutMs,
      poolSize: opts.poolSize,
    });
  return openDuckDBStore(opts);
}
