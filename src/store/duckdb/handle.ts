/**
 * What the rest of Tally needs of the embedded backend without loading DuckDB's native driver: the options for
 * opening a store file, and the store seen as a DuckDB SQL engine.
 */
import { TallyError } from '../../core/index.js';
import type { CostStore, Row, SqlParam } from '../store.js';

/** Options for opening a DuckDB store. */
export interface DuckDBStoreOptions {
  /** File path, or ':memory:'. */
  readonly path: string;
  /** Open without write access (for `tally sql` and reports while another process writes). */
  readonly readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '2GB' (DuckDB spills to disk beyond it); DuckDB's default when absent. */
  readonly memoryLimit?: string | undefined;
  /** DuckDB threads; DuckDB's default (one per core) when absent. */
  readonly threads?: number | undefined;
  /** How long a `readOnlySql` query may run before it is stopped; 30 s when absent. */
  readonly sqlTimeoutMs?: number | undefined;
}

/**
 * The embedded store as a DuckDB SQL engine, for the one module that still reads files with DuckDB inside the
 * store's own transaction (ingest: read_csv/read_parquet into temp tables, then INSERT into cost_rows). Any
 * other backend refuses: moving ingest to a scratch DuckDB plus a `loadCostRows` operation is the next step
 * (docs/decisions/0018). Works across `tally serve`'s worker boundary too (the proxy forwards by name).
 */
export interface DuckDBSql extends CostStore {
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  exec(sql: string, params?: readonly SqlParam[]): Promise<void>;
}

/** `store` as a DuckDB SQL engine, or an error naming the backend that cannot be one. */
export function duckdbSql(store: CostStore): DuckDBSql {
  if (store.backend !== 'duckdb')
    throw new TallyError(
      'invalid_input',
      `ingest loads cost files into the embedded DuckDB store only, for now; this store is ${store.backend}`,
      { backend: store.backend },
    );
  return store as DuckDBSql;
}
