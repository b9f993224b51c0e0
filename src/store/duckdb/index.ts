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
import type {
  CostStore,
  ReadOnlySqlOptions,
  Row,
  SqlParam,
  UsageAggregate,
  UsageQuery,
  VirtualKeyRecord,
} from '../store.js';
import { checkReadOnlyStatement, storeRelations } from './_sandbox.js';
import { MIGRATIONS } from './_migrations.js';
import { toDuckParam, toJsonValue } from './_values.js';
import { aggregateUsageSql, appendUsageEvents, appendUsageFromWal, toUsageAggregate } from './_usage.js';
import { keyFromRow, keyInsertParams, KEY_INSERT_SQL } from './_keys.js';
import { accessOps } from './_access.js';
import type { AuditEntry, IncidentState, SessionRecord, UserRecord } from '../_access.js';

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
export class DuckDBStore implements CostStore {
  readonly backend = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly instance: DuckDBInstance,
    /** The raw connection, for backend-specific query files (ingest's bulk loads). Use via `withConnection`. */
    private readonly conn: DuckDBConnection,
    readonly location: string,
    private readonly inTransaction: boolean,
    private readonly sqlTimeoutMs = 30_000,
  ) {}

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
    });
  }

  appendUsage(events: readonly UsageEvent[]): Promise<number> {
    return this.withConnection((c) => appendUsageEvents(c, events));
  }

  appendUsageFromWal(paths: readonly string[]): Promise<number> {
    return this.withConnection((c) => appendUsageFromWal(c, paths));
  }

  async aggregateUsage(q: UsageQuery): Promise<UsageAggregate[]> {
    const { sql, params } = aggregateUsageSql(q);
    const rows = await this.withConnection(async (c) =>
      (await c.runAndReadAll(sql, params.map(toDuckParam))).getRowObjects(),
    );
    return rows.map((r) => toUsageAggregate(q, r));
  }

  async countUsage(from: Date, to: Date): Promise<number> {
    const rows = await this.query(
      'SELECT count(*) AS n FROM usage_events WHERE start_time >= $1 AND start_time < $2',
      [from, to],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async insertKey(rec: VirtualKeyRecord): Promise<void> {
    await this.exec(KEY_INSERT_SQL, keyInsertParams(rec));
  }

  async findKeyByHash(hash: string): Promise<VirtualKeyRecord | null> {
    const rows = await this.query('SELECT * FROM virtual_keys WHERE key_hash = $1', [hash]);
    return rows[0] ? keyFromRow(rows[0]) : null;
  }

  async findKeyById(id: string): Promise<VirtualKeyRecord | null> {
    const rows = await this.query('SELECT * FROM virtual_keys WHERE id = $1', [id]);
    return rows[0] ? keyFromRow(rows[0]) : null;
  }

  async listKeys(): Promise<VirtualKeyRecord[]> {
    return (await this.query('SELECT * FROM virtual_keys ORDER BY created_at DESC, id')).map(keyFromRow);
  }

  async updateKey(
    id: string,
    patch: Partial<Pick<VirtualKeyRecord, 'status' | 'revokedAt' | 'replacedBy' | 'config'>>,
  ): Promise<void> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    const add = (col: string, v: SqlParam) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (patch.status !== undefined) add('status', patch.status);
    if (patch.revokedAt !== undefined) add('revoked_at', patch.revokedAt);
    if (patch.replacedBy !== undefined) add('replaced_by', patch.replacedBy);
    if (patch.config !== undefined) add('config', JSON.stringify(patch.config));
    if (sets.length === 0) return;
    params.push(id);
    await this.exec(`UPDATE virtual_keys SET ${sets.join(', ')} WHERE id = $${params.length}`, params);
  }

  private readonly access = accessOps(
    (sql, params) => this.query(sql, params),
    (sql, params) => this.exec(sql, params),
  );
  insertUser(rec: UserRecord): Promise<void> {
    return this.access.insertUser(rec);
  }
  findUserByTokenHash(hash: string): Promise<UserRecord | null> {
    return this.access.findUserByTokenHash(hash);
  }
  findUserById(id: string): Promise<UserRecord | null> {
    return this.access.findUserById(id);
  }
  listUsers(): Promise<UserRecord[]> {
    return this.access.listUsers();
  }
  revokeUser(id: string, at: Date): Promise<void> {
    return this.access.revokeUser(id, at);
  }
  insertSession(rec: SessionRecord): Promise<void> {
    return this.access.insertSession(rec);
  }
  findSession(idHash: string, now: Date): Promise<SessionRecord | null> {
    return this.access.findSession(idHash, now);
  }
  deleteSession(idHash: string, now: Date): Promise<void> {
    return this.access.deleteSession(idHash, now);
  }
  appendAudit(entry: AuditEntry): Promise<void> {
    return this.access.appendAudit(entry);
  }
  listAudit(opts: { limit: number; before?: Date | undefined }): Promise<AuditEntry[]> {
    return this.access.listAudit(opts);
  }
  setIncidentState(state: IncidentState): Promise<void> {
    return this.access.setIncidentState(state);
  }
  getIncidentStates(ids: readonly string[]): Promise<Map<string, IncidentState>> {
    return this.access.getIncidentStates(ids);
  }

  async getMeta(namespace: string, key: string): Promise<unknown> {
    const rows = await this.query('SELECT value FROM kv WHERE namespace = $1 AND key = $2', [namespace, key]);
    const v = rows[0]?.['value'];
    return typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? null);
  }

  async setMeta(namespace: string, key: string, value: unknown): Promise<void> {
    await this.exec(
      'INSERT OR REPLACE INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())',
      [namespace, key, JSON.stringify(value)],
    );
  }

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
        const reader = await prepared.runAndReadAll();
        return reader.getRowObjects().map((r) => {
          const out: Row = {};
          for (const [k, v] of Object.entries(r)) out[k] = toJsonValue(v);
          return out;
        });
      } catch (err) {
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
