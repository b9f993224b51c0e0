/** DuckDB backend: the embedded default store, one file at .tally/tally.duckdb unless told otherwise. */
import { mkdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DuckDBInstance,
  StatementType,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import { TallyError } from '../../core/index.js';
import type { UsageEvent } from '../usage-event.js';
import {
  READ_ONLY_SQL_MAX_ROWS,
  type CostStore,
  type ReadOnlySqlOptions,
  type Row,
  type SqlParam,
} from '../store.js';
import { SqlStore } from '../sql/sql-store.js';
import { USAGE_COLUMNS } from '../usage-event.js';
import { DUCKDB_DIALECT } from './_dialect.js';
import { checkReadOnlyStatement, storeRelations } from './_sandbox.js';
import { MIGRATIONS, usageColumnDdl } from './_migrations.js';
import { toDuckParam, toJsonValue } from './_values.js';
import { appendUsageEvents, appendUsageFromWal } from './_usage.js';
import { loadCostRowsFile } from './_cost-rows.js';
import { addToRollup, rollupSelect } from './_rollup.js';
import type { DuckDBStoreOptions } from './handle.js';

export { duckdbSql, type DuckDBSql, type DuckDBStoreOptions } from './handle.js';
import type { CostRowsFile } from '../reports.js';

/** Opens (creating and migrating if needed) a DuckDB store. */
export async function openDuckDBStore(opts: DuckDBStoreOptions): Promise<DuckDBStore> {
  const path = opts.path === ':memory:' ? ':memory:' : resolve(opts.path);
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    // A read-only open of a store that does not exist yet creates an empty, migrated one first, so that reports
    // on a fresh path answer "no data" rather than failing.
    if (opts.readOnly && !existsSync(path))
      await (await openDuckDBStore({ path, memoryLimit: opts.memoryLimit })).close();
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, {
      ...(opts.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}),
      ...(opts.threads ? { threads: String(opts.threads) } : {}),
      // Nothing Tally runs needs an extension beyond the built-in json, parquet and icu; a query naming an
      // https:// path or an extension's function must fail, not download and load code.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
  } catch (err) {
    throw openError(path, err);
  }
  const conn = await instance.connect();
  // Timestamps are UTC everywhere; never let the host's zone leak into TIMESTAMP -> TIMESTAMPTZ casts.
  await conn.run("SET TimeZone = 'UTC'").catch(() => undefined);
  const store = new DuckDBStore(instance, conn, path, false, opts.sqlTimeoutMs ?? 30_000);
  if (!opts.readOnly) await store.migrate();
  return store;
}

function openError(path: string, err: unknown): TallyError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/lock/i.test(msg))
    return new TallyError(
      'store_locked',
      `the store ${path} is in use by another Tally process (a running gateway?). Ask that process (its HTTP API), stop it, or pass --db to use another file. (${msg})`,
      { file: path },
      { cause: err },
    );
  return new TallyError(
    'store_corrupt',
    `cannot open the store ${path}: ${msg}. The file was left untouched; restore it from a backup or pass --db for a new one.`,
    { file: path },
    { cause: err },
  );
}

/** Prepares exactly one statement and refuses anything that is not a read. */
async function prepareReadOnly(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (err) {
    throw new TallyError('invalid_input', `SQL error: ${(err as Error).message}`);
  }
  if (extracted.count !== 1)
    throw new TallyError('invalid_input', `give exactly one statement (got ${extracted.count})`);
  let prepared;
  try {
    prepared = await extracted.prepare(0);
  } catch (err) {
    throw new TallyError('invalid_input', `SQL error: ${(err as Error).message}`);
  }
  const type = prepared.statementType;
  if (type !== StatementType.SELECT && type !== StatementType.EXPLAIN)
    throw new TallyError(
      'forbidden',
      `tally sql only runs reads (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN); this statement is a ${StatementType[type] ?? type}`,
    );
  return prepared;
}

/** The DuckDB implementation of CostStore. All statements on one connection are serialised. */
export class DuckDBStore extends SqlStore {
  readonly backend = 'duckdb' as const;
  readonly dialect = DUCKDB_DIALECT;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly instance: DuckDBInstance,
    /** The raw connection, for backend-specific query files (ingest's bulk loads). Use via `withConnection`. */
    private readonly conn: DuckDBConnection,
    override readonly location: string,
    private readonly inTransaction: boolean,
    private readonly sqlTimeoutMs = 30_000,
  ) {
    super();
  }

  /** Runs fn with exclusive use of the connection (serialised with every other call). */
  withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this.conn);
    const next = this.queue.then(
      () => fn(this.conn),
      () => fn(this.conn),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Applies pending migrations. */
  async migrate(): Promise<void> {
    await this.withConnection(async (c) => {
      await c.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)',
      );
      const done = new Set(
        (await c.runAndReadAll('SELECT id FROM schema_migrations')).getRows().map((r) => Number(r[0])),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await c.run('BEGIN TRANSACTION');
        try {
          await c.run(m.sql);
          await c.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.id, m.name]);
          await c.run('COMMIT');
        } catch (err) {
          await c.run('ROLLBACK');
          throw new TallyError(
            'store_corrupt',
            `migration ${m.id} (${m.name}) failed: ${(err as Error).message}`,
            {},
            { cause: err },
          );
        }
      }
      // A column appended to USAGE_COLUMNS after a store was created is added here (nullable: old rows have
      // no value), so adding a usage column needs no hand-written migration.
      const have = new Set(
        (
          await c.runAndReadAll(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'usage_events'",
          )
        )
          .getRows()
          .map((r) => String(r[0])),
      );
      for (const col of USAGE_COLUMNS)
        if (!have.has(col.name))
          await c.run(`ALTER TABLE usage_events ADD COLUMN ${usageColumnDdl({ ...col, nullable: true })}`);
    });
  }

  // Every write of usage_events also writes the daily rollup (ADR 0034): both in one transaction, the caller's
  // or one of their own.
  appendUsage(events: readonly UsageEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    if (this.inTransaction) return appendUsageEvents(this.conn, events);
    return this.transaction((tx) => tx.appendUsage(events));
  }

  appendUsageFromWal(paths: readonly string[]): Promise<number> {
    if (this.inTransaction) return appendUsageFromWal(this.conn, paths);
    return this.transaction((tx) => (tx as DuckDBStore).appendUsageFromWal(paths));
  }

  override async deleteUsageByIdPrefix(idPrefix: string): Promise<number> {
    if (!this.inTransaction) return this.transaction((tx) => tx.deleteUsageByIdPrefix(idPrefix));
    const gone = '(SELECT * FROM usage_events WHERE starts_with(id, $1))';
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE usage_gone AS SELECT * FROM ${gone}`, [idPrefix]);
    await addToRollup(this.conn, 'usage_gone', -1);
    await this.conn.run('DROP TABLE usage_gone');
    return super.deleteUsageByIdPrefix(idPrefix);
  }

  /**
   * Re-sums usage_daily from every event: for bulk loads that write usage_events with SQL of their own, outside
   * the named operations (the chargeback benchmark's generated month).
   */
  async rebuildUsageRollup(): Promise<void> {
    await this.transaction(async () => {
      await this.conn.run(`DELETE FROM usage_daily; INSERT INTO usage_daily ${rollupSelect('usage_events')}`);
    });
  }

  loadCostRows(file: CostRowsFile): Promise<number> {
    // The delete and the insert commit together: inside the caller's transaction, or in one of their own.
    if (this.inTransaction) return loadCostRowsFile(this.conn, file);
    return this.transaction((tx) => tx.loadCostRows(file));
  }

  /**
   * One process owns a DuckDB file (ADR 0012) and its transactions run one at a time on the store's connection
   * (withConnection), so ingest runs already store one after another: nothing to wait for.
   */
  lockIngests(): Promise<void> {
    return Promise.resolve();
  }

  /** Runs a parameterised read (backend-internal; tests and ingest's scratch file engine use it). */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll(sql, params.map(toDuckParam));
      return reader.getRowObjects().map((r) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(r)) out[k] = toJsonValue(v);
        return out;
      });
    });
  }

  /** Runs a parameterised write (backend-internal). */
  async exec(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    await this.withConnection((c) => c.run(sql, params.map(toDuckParam)));
  }

  transaction<T>(fn: (tx: CostStore) => Promise<T>): Promise<T> {
    return this.withConnection(async (c) => {
      await c.run('BEGIN TRANSACTION');
      const tx = new DuckDBStore(this.instance, c, this.location, true, this.sqlTimeoutMs);
      try {
        const out = await fn(tx);
        await c.run('COMMIT');
        return out;
      } catch (err) {
        await c.run('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Runs a user's read-only statement in the sandbox (see _sandbox.ts): one statement, a read, naming only the
   * store's tables; on its own connection, so a slow query neither waits for nor blocks the store's writes and
   * can be interrupted alone when it runs past `timeoutMs`.
   */
  async readOnlySql(sql: string, opts: ReadOnlySqlOptions = {}): Promise<Row[]> {
    const timeoutMs = opts.timeoutMs ?? this.sqlTimeoutMs;
    const conn = await this.instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      // Check before preparing: binding read_csv already opens the file to sniff it.
      await checkReadOnlyStatement(conn, sql, await storeRelations(conn));
      const prepared = await prepareReadOnly(conn, sql);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        conn.interrupt();
      }, timeoutMs);
      try {
        // Streamed, and read one row past the cap only: `SELECT * FROM range(1e9)` never materialises.
        const maxRows = opts.maxRows ?? READ_ONLY_SQL_MAX_ROWS;
        const reader = await prepared.streamAndReadUntil(maxRows + 1);
        if (reader.currentRowCount > maxRows)
          throw new TallyError(
            'invalid_input',
            `the query returns more than ${maxRows} rows; aggregate it or add a LIMIT`,
            { maxRows },
          );
        return reader.getRowObjects().map((r) => {
          const out: Row = {};
          for (const [k, v] of Object.entries(r)) out[k] = toJsonValue(v);
          return out;
        });
      } catch (err) {
        if (err instanceof TallyError) throw err;
        if (timedOut)
          throw new TallyError(
            'invalid_input',
            `the query ran longer than ${timeoutMs / 1000} s and was stopped; narrow it (a time window, a LIMIT)`,
            { timeoutMs },
          );
        throw new TallyError('invalid_input', `SQL error: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.withConnection(async (c) => {
      if (!this.location.startsWith(':memory:')) {
        try {
          await c.run('CHECKPOINT');
        } catch {
          // Read-only stores cannot checkpoint; nothing to flush.
        }
      }
      c.closeSync();
    });
    this.instance.closeSync();
  }
}
