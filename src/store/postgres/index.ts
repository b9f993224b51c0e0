/**
 * PostgreSQL backend: for several writers and readers at once (gateway replicas, the API, the CLI), where the
 * embedded DuckDB file allows one writing process. Pooled `pg` connections, numbered migrations under an
 * advisory lock, ledger appends by COPY with idempotent event ids (docs/decisions/0019).
 */
import pg from 'pg';
import { TallyError } from '../../core/index.js';
import type { UsageEvent } from '../usage-event.js';
import type {
  CostStore,
  ReadOnlySqlOptions,
  Row,
  SqlParam,
  UsageAggregate,
  UsageQuery,
  VirtualKeyRecord,
} from '../store.js';
import type { AuditEntry, IncidentState, SessionRecord, UserRecord } from '../_access.js';
import { connectError, maskStoreUrl, poolConfig, type PostgresStoreOptions } from './_connect.js';
import { MIGRATIONS } from './_migrations.js';
import { aggregateUsageSql, copyUsageEvents, toUsageAggregate } from './_usage.js';
import { recordOps } from './_records.js';
import { ensureSqlReader, runReadOnly } from './_sandbox.js';

export {
  isPostgresUrl,
  maskStoreUrl,
  SSL_MODES,
  type SslMode,
  type PostgresStoreOptions,
} from './_connect.js';

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

/** The PostgreSQL implementation of CostStore. Without a bound client, every call takes a pooled connection. */
export class PostgresStore implements CostStore {
  readonly backend = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    /** The connection of a transaction in progress (transaction()), else null. */
    private readonly client: pg.PoolClient | null,
    private readonly config: pg.PoolConfig,
    readonly location: string,
    private readonly reader: Reader,
    private readonly sqlTimeoutMs: number,
  ) {}

  private readonly records = recordOps((sql, params) => this.query(sql, params));

  appendUsage(events: readonly UsageEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    if (this.client) return copyUsageEvents(this.client, events);
    return this.inTransaction((c) => copyUsageEvents(c, events));
  }

  async aggregateUsage(q: UsageQuery): Promise<UsageAggregate[]> {
    const { sql, params } = aggregateUsageSql(q);
    return (await this.query(sql, params)).map((r) => toUsageAggregate(q, r));
  }

  async countUsage(from: Date, to: Date): Promise<number> {
    const [r] = await this.query(
      'SELECT count(*) AS n FROM usage_events WHERE start_time >= $1 AND start_time < $2',
      [from, to],
    );
    return Number(r?.['n'] ?? 0);
  }

  insertKey(rec: VirtualKeyRecord): Promise<void> {
    return this.records.insertKey(rec);
  }
  findKeyByHash(hash: string): Promise<VirtualKeyRecord | null> {
    return this.records.findKey('key_hash', hash);
  }
  findKeyById(id: string): Promise<VirtualKeyRecord | null> {
    return this.records.findKey('id', id);
  }
  listKeys(): Promise<VirtualKeyRecord[]> {
    return this.records.listKeys();
  }
  updateKey(
    id: string,
    patch: Partial<Pick<VirtualKeyRecord, 'status' | 'revokedAt' | 'replacedBy' | 'config'>>,
  ): Promise<void> {
    return this.records.updateKey(id, patch);
  }
  insertUser(rec: UserRecord): Promise<void> {
    return this.records.insertUser(rec);
  }
  findUserByTokenHash(hash: string): Promise<UserRecord | null> {
    return this.records.findUser('token_hash', hash);
  }
  findUserById(id: string): Promise<UserRecord | null> {
    return this.records.findUser('id', id);
  }
  listUsers(): Promise<UserRecord[]> {
    return this.records.listUsers();
  }
  revokeUser(id: string, at: Date): Promise<void> {
    return this.records.revokeUser(id, at);
  }
  insertSession(rec: SessionRecord): Promise<void> {
    return this.records.insertSession(rec);
  }
  findSession(idHash: string, now: Date): Promise<SessionRecord | null> {
    return this.records.findSession(idHash, now);
  }
  deleteSession(idHash: string, now: Date): Promise<void> {
    return this.records.deleteSession(idHash, now);
  }
  appendAudit(entry: AuditEntry): Promise<void> {
    return this.records.appendAudit(entry);
  }
  listAudit(opts: { limit: number; before?: Date | undefined }): Promise<AuditEntry[]> {
    return this.records.listAudit(opts);
  }
  setIncidentState(state: IncidentState): Promise<void> {
    return this.records.setIncidentState(state);
  }
  getIncidentStates(ids: readonly string[]): Promise<Map<string, IncidentState>> {
    return this.records.getIncidentStates(ids);
  }
  getMeta(namespace: string, key: string): Promise<unknown> {
    return this.records.getMeta(namespace, key);
  }
  setMeta(namespace: string, key: string, value: unknown): Promise<void> {
    return this.records.setMeta(namespace, key, value);
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
      return await runReadOnly(client, sql, timeoutMs);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.client) return;
    await this.pool.end();
  }
}
