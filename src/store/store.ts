/**
 * CostStore: the one interface every backend implements (DuckDB now, ClickHouse later). The contract test
 * suite in contract.test.ts runs against each backend. Analytics never import a backend: they receive rows.
 */
import type { UsageEvent } from './usage-event.js';
import type { AuditEntry, IncidentState, SessionRecord, UserRecord } from './_access.js';

/** A plain result row: column name to JSON-safe value (numbers, strings, booleans, null, nested JSON). */
export type Row = Record<string, unknown>;

/** Parameter values for parameterised SQL. */
export type SqlParam = string | number | bigint | boolean | null | Date;

/** Grouping dimensions for usage reports. */
export const USAGE_DIMENSIONS = [
  'team',
  'app',
  'environment',
  'cost_center',
  'key_id',
  'end_user',
  'provider',
  'upstream',
  'deployment',
  'model',
  'request_model',
  'deployment_type',
  'region',
  'operation',
  'usage_source',
  'cache_outcome',
  'day',
  'hour',
] as const;
/** A usage grouping dimension. */
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** Grouping by one tag of the usage event (key tags and the request's own `x-tally-tags`): `tag:feature`. */
export type TagDimension = `tag:${string}`;
/** What a tag dimension must look like (the tag key: letters, digits, _ . : -, up to 64). */
export const TAG_DIMENSION_RE = /^tag:[A-Za-z0-9_.:-]{1,64}$/;

/** A usage aggregation request: explicit window, optional filters. */
export interface UsageQuery {
  readonly from: Date;
  readonly to: Date;
  readonly by: readonly (UsageDimension | TagDimension)[];
  readonly where?: Partial<Record<Exclude<UsageDimension, 'day' | 'hour'>, string>>;
}

/** One aggregated usage row: the dimension values plus totals. Money in nanos. */
export interface UsageAggregate {
  readonly dims: Record<string, string | null>;
  readonly requests: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly costNanos: bigint;
  readonly listCostNanos: bigint;
  readonly savedCostNanos: bigint;
  readonly errors: number;
  readonly cacheHits: number;
  readonly avgDurationMs: number;
}

/** A stored virtual key (the secret itself is never stored: only its hash). */
export interface VirtualKeyRecord {
  id: string;
  keyHash: string;
  keyPrefix: string;
  team: string | null;
  app: string | null;
  environment: string | null;
  costCenter: string | null;
  tags: Record<string, string>;
  /** Limits and allowances: allowedModels, tpm, quota, budget... owned by the gateway. */
  config: Record<string, unknown>;
  status: 'active' | 'revoked';
  createdAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

/** Options of a user query. */
export interface ReadOnlySqlOptions {
  /** Stop the query after this many milliseconds (the store's default when absent). */
  readonly timeoutMs?: number;
}

/** The store interface. */
export interface CostStore {
  /** Which backend this is. */
  readonly backend: 'duckdb' | 'clickhouse';
  /** Where it lives (file path or URL), for messages. */
  readonly location: string;

  // --- usage ledger ---
  /** Inserts events, skipping ids already stored. Returns how many were new. */
  appendUsage(events: readonly UsageEvent[]): Promise<number>;
  /**
   * Loads closed ledger WAL segments (JSON lines, see ledger/_wal.ts) into the store, skipping stored ids.
   * Optional: backends without a native file reader leave it out and the ledger appends parsed events instead.
   */
  appendUsageFromWal?(paths: readonly string[]): Promise<number>;
  /** Aggregates usage over a window, grouped by the given dimensions. */
  aggregateUsage(q: UsageQuery): Promise<UsageAggregate[]>;
  /** Number of usage events in a window. */
  countUsage(from: Date, to: Date): Promise<number>;

  // --- keys (gateway) ---
  /** Stores a new key record. */
  insertKey(rec: VirtualKeyRecord): Promise<void>;
  /** Finds a key by the hash of its secret. */
  findKeyByHash(hash: string): Promise<VirtualKeyRecord | null>;
  /** Finds a key by id. */
  findKeyById(id: string): Promise<VirtualKeyRecord | null>;
  /** All keys, newest first. */
  listKeys(): Promise<VirtualKeyRecord[]>;
  /** Updates status/config of a key. */
  updateKey(
    id: string,
    patch: Partial<Pick<VirtualKeyRecord, 'status' | 'revokedAt' | 'replacedBy' | 'config'>>,
  ): Promise<void>;

  // --- users, sessions, audit, incident states (server) ---
  /** Stores a new user. */
  insertUser(rec: UserRecord): Promise<void>;
  /** Finds an active or revoked user by the hash of its token. */
  findUserByTokenHash(hash: string): Promise<UserRecord | null>;
  /** Finds a user by id. */
  findUserById(id: string): Promise<UserRecord | null>;
  /** All users, newest first. */
  listUsers(): Promise<UserRecord[]>;
  /** Revokes a user's token (its sessions end with it). */
  revokeUser(id: string, at: Date): Promise<void>;
  /** Stores a browser session. */
  insertSession(rec: SessionRecord): Promise<void>;
  /** A session by the hash of its id, if it has not expired at `now`. */
  findSession(idHash: string, now: Date): Promise<SessionRecord | null>;
  /** Ends a session (logout), and drops expired ones. */
  deleteSession(idHash: string, now: Date): Promise<void>;
  /** Appends to the audit log. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** The newest audit entries first, at most `limit`, older than `before` when given. */
  listAudit(opts: { limit: number; before?: Date | undefined }): Promise<AuditEntry[]>;
  /** Sets an incident's state. */
  setIncidentState(state: IncidentState): Promise<void>;
  /** The states of the given incidents (missing ones are `new`). */
  getIncidentStates(ids: readonly string[]): Promise<Map<string, IncidentState>>;

  // --- key/value metadata (small state other modules keep: alert dedup, ingest markers, ...) ---
  /** Reads a JSON value. */
  getMeta(namespace: string, key: string): Promise<unknown>;
  /** Writes a JSON value. */
  setMeta(namespace: string, key: string, value: unknown): Promise<void>;

  // --- generic access for module-owned queries ---
  /** Runs a parameterised read and returns JSON-safe rows (bigints that fit become numbers). */
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Runs a parameterised write. */
  exec(sql: string, params?: readonly SqlParam[]): Promise<void>;
  /** Runs fn inside one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: CostStore) => Promise<T>): Promise<T>;
  /**
   * Runs a user-supplied statement only if it is a read of the store's own tables (SELECT, WITH, DESCRIBE,
   * SHOW, EXPLAIN): no files, URLs, other catalogs, extensions or settings, stopped after a timeout. The one
   * door for queries an API or an assistant sends (docs/decisions/0016).
   */
  readOnlySql(sql: string, opts?: ReadOnlySqlOptions): Promise<Row[]>;

  /** Closes the store (checkpointing it). */
  close(): Promise<void>;
}
