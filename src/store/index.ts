/**
 * store: the CostStore interface, the canonical FOCUS column list, the UsageEvent row type, and backends (DuckDB;
 * ClickHouse later).
 */
import { resolve } from 'node:path';
import { openDuckDBStore } from './duckdb/index.js';
import type { CostStore } from './store.js';

export * from './store.js';
export * from './_access.js';
export * from './usage-event.js';
export * from './focus-columns.js';
export * from './reports.js';
export { SqlStore } from './sql/sql-store.js';
export type { Dialect, SqlRunner } from './sql/dialect.js';
export {
  DuckDBStore,
  duckdbSql,
  openDuckDBStore,
  type DuckDBSql,
  type DuckDBStoreOptions,
} from './duckdb/index.js';

/** Default store file, under the working directory. */
export const DEFAULT_DB_PATH = '.tally/tally.duckdb';

/** Resolves the store path: --db, then TALLY_DB, then config store.path, then the default. */
export function resolveDbPath(opts: {
  db?: string | undefined;
  configPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  // An empty value (TALLY_DB= or --db '') means unset, never the working directory itself.
  const p = opts.db || env['TALLY_DB'] || opts.configPath || DEFAULT_DB_PATH;
  return p === ':memory:' ? p : resolve(cwd, p);
}

/** Opens the configured store. */
export async function openStore(opts: {
  path: string;
  readOnly?: boolean;
  memoryLimit?: string | undefined;
  threads?: number | undefined;
}): Promise<CostStore> {
  return openDuckDBStore(opts);
}
