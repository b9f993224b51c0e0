/**
 * PostgreSQL backend: for several writers and readers at once (gateway replicas, the API, the CLI), where the
 * embedded DuckDB file allows one writing process. Pooled `pg` connections, numbered migrations under an
 * advisory lock, ledger appends by COPY with idempotent event ids (docs/decisions/0019).
 */
import pg from 'pg';
import { TallyError } from '../../core/index.js';
import type { UsageEvent } from '../usage-event.js';
import type { CostStore, ReadOnlySqlOptions, Row, SqlParam } from '../store.js';
import { SqlStore } from '../sql/sql-store.js';
import { POSTGRES_DIALECT } from './_dialect.js';
import { connectError, poolConfig } from './_connect.js';
import { maskStoreUrl, type PostgresStoreOptions } from './url.js';
import { MIGRATIONS } from './_migrations.js';
import { copyUsageEvents } from './_usage.js';
import { copyCostRows } from './_cost-rows.js';
import type { CostRowsFile } from '../reports.js';
import { ensureSqlReader, runReadOnly } from './_sandbox.js';

export { isPostgresUrl, maskStoreUrl, SSL_MODES, type SslMode, type PostgresStoreOptions } from './url.js';

/** Advisory-lock key of ingest runs' store phase (any constant other than the migrations'; "ingest"). */
const INGEST_LOCK = 0x696e67657374;
/** Advisory-lock key of the migrations (any constant; "tally" in ASCII). */
const MIGRATION_LOCK = 0x74616c6c79;

type Reader = { user: string; password: string } | null;

/** Opens a PostgreSQL store: connects, applies pending migrations (one process at a time), and returns it. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const config = poolConfig(opts);
  const pool = new pg.Pool(config);
  // An idle pooled connection that the server drops must not take the process down; the next query reconnects.
  pool.on('error', () => undefined);
  let reader: Reader;
  try {
    reader = await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof TallyError) throw err;
    throw connectError(opts.url, err);
  }
  return new PostgresStore(pool, null, config, maskStoreUrl(opts.url), reader, opts.sqlTimeoutMs ?? 30_000);
}

/** Applies pending migrations under an advisory lock, so that processes starting together take turns. */
async function migrate(pool: pg.Pool): Promise<Reader> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)',
      );
      const done = new Set(
        (await c.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id),
      );
      let applied = 0;
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.id, m.name]);
          await c.query('COMMIT');
          applied++;
        } catch (err) {
          await c.query('ROLLBACK');
          throw new TallyError(
            'store_corrupt',
            `migration ${m.id} (${m.name}) failed: ${(err as Error).message}`,
            {},
            { cause: err },
          );
        }
      }
      return await ensureSqlReader(c, applied > 0);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    c.release();
  }
}

/**
 * The PostgreSQL implementation of CostStore: the named operations are SqlStore's portable SQL in this dialect;
 * this class adds the COPY append, transactions, the `tally sql` sandbox and the pool. Without a bound client,
 * every call takes a pooled connection.
 */
export class PostgresStore extends SqlStore {
  readonly backend = 'postgres' as const;
  readonly dialect = POSTGRES_DIALECT;

  constructor(
    private readonly pool: pg.Pool,
    /** The connection of a transaction in progress (transaction()), else null. */
    private readonly client: pg.PoolClient | null,
    private readonly config: pg.PoolConfig,
    readonly location: string,
    private readonly reader: Reader,
    private readonly sqlTimeoutMs: number,
  ) {
    super();
  }

  appendUsage(events: readonly UsageEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    if (this.client) return copyUsageEvents(this.client, events);
    return this.inTransaction((c) => copyUsageEvents(c, events));
  }

  loadCostRows(file: CostRowsFile): Promise<number> {
    if (this.client) return copyCostRows(this.client, file);
    return this.inTransaction((c) => copyCostRows(c, file));
  }

  /**
   * A transaction-level advisory lock (released at COMMIT or ROLLBACK, also when the connection drops), waited
   * for without the statement timeout: another run's store phase may take minutes. ADR 0034.
   */
  async lockIngests(): Promise<void> {
    if (!this.client) throw new TallyError('internal', 'lockIngests must be called inside a transaction');
    const [row] = await this.query("SELECT current_setting('statement_timeout') AS t");
    await this.client.query("SELECT set_config('statement_timeout', '0', true)");
    await this.client.query('SELECT pg_advisory_xact_lock($1)', [INGEST_LOCK]);
    await this.client.query("SELECT set_config('statement_timeout', $1, true)", [String(row?.['t'] ?? '0')]);
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const r = await (this.client ?? this.pool).query(sql, params as unknown[]);
    return r.rows as Row[];
  }

  async exec(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    await (this.client ?? this.pool).query(sql, params as unknown[]);
  }

  /** Runs fn on one pooled connection inside BEGIN/COMMIT (ROLLBACK when it throws). */
  private async inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  transaction<T>(fn: (tx: CostStore) => Promise<T>): Promise<T> {
    // Nested: the outer transaction already holds a connection.
    if (this.client) return fn(this);
    return this.inTransaction((c) =>
      fn(new PostgresStore(this.pool, c, this.config, this.location, this.reader, this.sqlTimeoutMs)),
    );
  }

  /**
   * Runs a user's read on its own connection, logged in as the reader role when there is one (see
   * _sandbox.ts), so that it can neither write nor reach files, and stops it after the timeout.
   */
  async readOnlySql(sql: string, opts: ReadOnlySqlOptions = {}): Promise<Row[]> {
    const timeoutMs = opts.timeoutMs ?? this.sqlTimeoutMs;
    const client = new pg.Client({
      ...this.config,
      ...(this.reader ? { user: this.reader.user, password: this.reader.password } : {}),
      options: '-c TimeZone=UTC -c default_transaction_read_only=on',
      statement_timeout: timeoutMs,
    });
    try {
      await client.connect();
    } catch (err) {
      throw connectError(this.location, err);
    }
    try {
      return await runReadOnly(client, sql, timeoutMs, opts.maxRows);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.client) return;
    await this.pool.end();
  }
}
