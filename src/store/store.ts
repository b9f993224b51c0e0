/**
 * CostStore: the one interface every backend implements (DuckDB, PostgreSQL; ClickHouse later). The contract test
 * suite in contract.test.ts runs against each backend. Analytics never import a backend: they receive rows.
 */
import type { UsageEvent } from './usage-event.js';
import type { AuditEntry, IncidentState, SessionRecord, UserRecord } from './_access.js';
import type {
  ActivityRow,
  ActivityScopes,
  BucketSpend,
  BudgetRecord,
  CostMatch,
  CostReportQuery,
  CostRowInput,
  CostRowsFile,
  IngestRecord,
  CostReportRow,
  CostRowValues,
  DeploymentStatsRow,
  CostMonthStamp,
  IngestFreshnessRow,
  KpiInput,
  KpiRow,
  ExportRateRow,
  MaturityFactsRow,
  MeteredUsageRow,
  SpendCellRow,
  SpendScope,
  SpendSource,
  TokenDayRow,
  TokenGroupColumn,
  TokenGroupRow,
  UsageExtent,
  UsageTotalsRow,
  Window,
} from './reports.js';

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
  /** Only events whose id starts with this (the demo's `demo-` events). */
  readonly idPrefix?: string;
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
  /** Refuse a result of more rows than this (default READ_ONLY_SQL_MAX_ROWS), read no further than one past it. */
  readonly maxRows?: number;
}

/** The most rows a read-only query returns unless the caller says otherwise: bounds memory as the timeout bounds time. */
export const READ_ONLY_SQL_MAX_ROWS = 100_000;

/**
 * The store interface: named operations only. Callers never send SQL (test/architecture.test.ts checks it);
 * each backend implements every operation, most of them once for all SQL backends in sql/sql-store.ts with a
 * per-backend Dialect. The one door for SQL text is `readOnlySql`, for `tally sql` (docs/decisions/0018).
 */
export interface CostStore extends ReportQueries {
  /** Which backend this is. */
  readonly backend: 'duckdb' | 'postgres' | 'clickhouse';
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
  /** Stored events in a window, by start time then id, at most `limit` after the (start, id) cursor `after`. */
  readUsage(q: {
    readonly from: Date;
    readonly to: Date;
    readonly limit: number;
    readonly after?: { readonly startTime: number; readonly id: string };
  }): Promise<UsageEvent[]>;
  /** Deletes usage events whose id starts with `idPrefix` (the demo replacing its own). Returns how many. */
  deleteUsageByIdPrefix(idPrefix: string): Promise<number>;

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

  // --- budgets (`tally budgets set`) ---
  /** Stores a budget, replacing one with the same id. */
  saveBudget(b: BudgetRecord): Promise<void>;
  /** Deletes a budget; false when there was none. */
  deleteBudget(id: string): Promise<boolean>;
  /** Every stored budget, by id. */
  listBudgets(): Promise<BudgetRecord[]>;

  // --- business KPIs ---
  /** Stores KPI values. */
  insertKpis(rows: readonly KpiInput[]): Promise<void>;
  /** Deletes the KPI values of one source. */
  deleteKpis(source: string): Promise<void>;

  // --- cost rows ---
  /** Appends cost rows (FOCUS values as exact text). Returns how many. */
  appendCostRows(rows: readonly CostRowInput[]): Promise<number>;
  /**
   * Loads a cost-rows file (CostRowsFile: ingest's output) as the rows of one ingest, in place of any rows
   * already stored under that ingest id, so a retried load changes nothing. Returns how many rows the file
   * held; a file that cannot be read whole loads nothing (call it inside `transaction` with the ingest record).
   */
  loadCostRows(file: CostRowsFile): Promise<number>;
  /** Whether a file with these bytes (its SHA-256) was ingested already. */
  isIngested(fileHash: string): Promise<boolean>;
  /**
   * Inside `transaction`: waits until no other ingest run is storing into this store and keeps them waiting
   * until this transaction ends, so ingest runs store one after another and `isIngested` asked afterwards in
   * the same transaction sees every run that committed before (docs/decisions/0034). Several processes, the
   * server and a CLI, or two replicas may ingest the same file at once; only one stores it.
   */
  lockIngests(): Promise<void>;
  /**
   * Month-to-date exports are cumulative: deletes the rows of earlier runs (ingest ids not starting with
   * `runId`) in the given slices. Returns how many rows went.
   */
  replaceCostSlices(runId: string, slices: readonly string[]): Promise<number>;
  /**
   * Azure FOCUS conversion: for each `azure-actual:<rest>` slice whose `azure-amortized:<rest>` twin is stored,
   * keeps only the actual export's commitment purchases (with EffectiveCost 0), whose cost the amortized rows
   * already spread.
   */
  settleAzureDatasets(slices: readonly string[]): Promise<void>;
  /** Records one ingested file (what `tally freshness` and re-ingest detection read). */
  recordIngest(rec: IngestRecord): Promise<void>;
  /** Deletes the cost rows loaded from one file and that file's ingest records (the demo re-building). */
  deleteCostSource(file: string): Promise<void>;

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

/** The aggregates reports read: each returns rows, and the analytics over them stay pure functions. */
export interface ReportQueries {
  /** Event count and first/last start time, in a window or over the whole ledger. */
  usageExtent(w?: Window): Promise<UsageExtent>;
  /** Reconciliation: metered usage per upstream, deployment, model, type and UTC day. */
  meteredUsageByDay(w: Window): Promise<MeteredUsageRow[]>;
  /** Carbon: output tokens per grouping value, model, provider and region (optionally for some teams). */
  outputTokenGroups(w: Window, by: TokenGroupColumn, teams?: readonly string[]): Promise<TokenGroupRow[]>;
  /** Unit economics: requests, conversations and active users per app, team or overall. */
  usageActivity(w: Window, by: 'app' | 'team' | 'all'): Promise<ActivityRow[]>;
  /** The same for app, team and all at once, in one pass over the window's events. */
  usageActivityScopes(w: Window): Promise<ActivityScopes>;
  /** Unit economics: stored KPI values whose day is in the window. */
  listKpis(w: Window): Promise<KpiRow[]>;
  /** Engineering view: requests, tokens, cache hits and latency per model and deployment. */
  deploymentStats(w: Window): Promise<DeploymentStatsRow[]>;
  /** Budgets: exact spend per time bucket for a scope, from the ledger or the cost exports. */
  spendByBucket(q: {
    readonly source: SpendSource;
    readonly scope: SpendScope;
    readonly value: string | null;
    readonly from: Date;
    readonly to: Date;
    readonly bucketMs: number;
  }): Promise<BucketSpend[]>;
  /** Forecasts and anomalies: spend cells per bucket and dimension values, from the ledger or the exports. */
  spendCells(source: SpendSource, w: Window, bucketMs: number): Promise<SpendCellRow[]>;
  /** Allocation: the window's AI cost rows and any row a rule matches, all columns as exact text. */
  costRows(w: Window, rules: readonly CostMatch[]): Promise<CostRowValues[]>;
  /** Allocation: the same rows summed over alike rows, per month (or per UTC day). */
  costGroups(
    w: Window,
    rules: readonly CostMatch[],
    opts?: { readonly byDay?: boolean },
  ): Promise<CostRowValues[]>;
  /** The costs report (`tally costs`, the dashboard's explorer): exact sums grouped by FOCUS/x_ columns. */
  costReport(q: CostReportQuery): Promise<CostReportRow[]>;
  /** Gateway restart: tokens and cost per key, team and app since each cut-off (all at or after `from`). */
  usageTotalsSince(from: Date, cutoffs: readonly Date[]): Promise<UsageTotalsRow[]>;
  /** Freshness: the last ingest per export format. */
  ingestFreshness(): Promise<IngestFreshnessRow[]>;
  /**
   * The cost basis: the end of the newest daily charge period in the exports (of any period when the exports
   * are monthly only), or null without cost rows. Days from here on are ledger-priced.
   */
  exportThrough(): Promise<Date | null>;
  /**
   * Per month of ChargePeriodStart ("YYYY-MM"): how many cost rows it holds and its newest `_ingest_id`. Ingest
   * ids are time-ordered, so any write that adds a month's rows raises its newest id and any that removes some
   * lowers its count: a serving process compares stamps before and after a write to know which months moved.
   */
  costMonthStamps(): Promise<CostMonthStamp[]>;
  /** The billing currencies of the cost rows charged in a window, sorted. */
  billingCurrencies(w: Window): Promise<string[]>;
  /**
   * The exchange rates the window's cost rows carry (pricing → billing currency: FOCUS `x_BillingExchangeRate`,
   * Azure `ExchangeRatePricingToBilling`), each with the first UTC day a row used it.
   */
  exportExchangeRates(w: Window): Promise<ExportRateRow[]>;
  /** Maturity: the facts its rules score. */
  maturityFacts(w: Window): Promise<MaturityFactsRow>;
  /** Demo export: daily tokens of successful non-provisioned requests whose id starts with `idPrefix`. */
  tokensByDay(w: Window, idPrefix: string): Promise<TokenDayRow[]>;
}
