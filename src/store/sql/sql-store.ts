/**
 * SqlStore: every named operation of CostStore written once in portable SQL over a backend's `query`/`exec` and
 * Dialect. A SQL backend (DuckDB here; PostgreSQL next) extends it and supplies what only it can do: the bulk
 * usage append, transactions, the read-only sandbox for `tally sql`, and closing.
 */
import type { AuditEntry, IncidentState, SessionRecord, UserRecord } from '../_access.js';
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
} from '../reports.js';
import type { Dialect, SqlRunner } from './dialect.js';
import { rollupAggregate, rollupAnswers } from './_rollup.js';
import { accessOps } from './_access.js';
import { keyFromRow, keyInsertParams, KEY_INSERT_SQL } from './_keys.js';
import * as usage from './_usage.js';
import * as reports from './_reports.js';
import * as spend from './_spend.js';
import * as costs from './_costs.js';
import * as tables from './_tables.js';
import * as ingest from './_ingest.js';
import { costReport } from './_cost-report.js';

/** The named operations over portable SQL; a backend implements the abstract members. */
export abstract class SqlStore implements CostStore, SqlRunner {
  abstract readonly backend: CostStore['backend'];
  abstract readonly location: string;
  abstract readonly dialect: Dialect;
  /** Runs a parameterised read (backend-internal: callers outside the store use named operations). */
  abstract query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Runs a parameterised write (backend-internal). */
  abstract exec(sql: string, params?: readonly SqlParam[]): Promise<void>;
  abstract appendUsage(events: readonly UsageEvent[]): Promise<number>;
  abstract loadCostRows(file: CostRowsFile): Promise<number>;
  abstract lockIngests(): Promise<void>;
  abstract transaction<T>(fn: (tx: CostStore) => Promise<T>): Promise<T>;
  abstract readOnlySql(sql: string, opts?: ReadOnlySqlOptions): Promise<Row[]>;
  abstract close(): Promise<void>;

  // --- usage ---
  /** From the daily rollup when it answers exactly (chargeback's month), else from the events. */
  aggregateUsage(q: UsageQuery): Promise<UsageAggregate[]> {
    if (rollupAnswers(q)) return rollupAggregate(this, q);
    return usage.aggregateUsage(this, q);
  }
  /** Always from the events (tests compare it with the rollup). */
  aggregateUsageFromEvents(q: UsageQuery): Promise<UsageAggregate[]> {
    return usage.aggregateUsage(this, q);
  }
  async countUsage(from: Date, to: Date): Promise<number> {
    return (await usage.usageExtent(this, { from, to })).events;
  }
  readUsage(q: {
    from: Date;
    to: Date;
    limit: number;
    after?: { startTime: number; id: string };
  }): Promise<UsageEvent[]> {
    return usage.readUsage(this, q);
  }
  async deleteUsageByIdPrefix(idPrefix: string): Promise<number> {
    const [r] = await this.query('SELECT count(*) AS n FROM usage_events WHERE starts_with(id, $1)', [
      idPrefix,
    ]);
    await this.exec('DELETE FROM usage_events WHERE starts_with(id, $1)', [idPrefix]);
    return Number(r?.['n'] ?? 0);
  }
  usageExtent(w?: Window): Promise<UsageExtent> {
    return usage.usageExtent(this, w);
  }
  usageTotalsSince(from: Date, cutoffs: readonly Date[]): Promise<UsageTotalsRow[]> {
    return usage.usageTotalsSince(this, from, cutoffs);
  }
  tokensByDay(w: Window, idPrefix: string): Promise<TokenDayRow[]> {
    return usage.tokensByDay(this, w, idPrefix);
  }

  // --- reports ---
  meteredUsageByDay(w: Window): Promise<MeteredUsageRow[]> {
    return reports.meteredUsageByDay(this, w);
  }
  outputTokenGroups(w: Window, by: TokenGroupColumn, teams?: readonly string[]): Promise<TokenGroupRow[]> {
    return reports.outputTokenGroups(this, w, by, teams);
  }
  usageActivity(w: Window, by: 'app' | 'team' | 'all'): Promise<ActivityRow[]> {
    return reports.usageActivity(this, w, by);
  }
  usageActivityScopes(w: Window): Promise<ActivityScopes> {
    return reports.usageActivityScopes(this, w);
  }
  listKpis(w: Window): Promise<KpiRow[]> {
    return reports.listKpis(this, w);
  }
  deploymentStats(w: Window): Promise<DeploymentStatsRow[]> {
    return reports.deploymentStats(this, w);
  }
  ingestFreshness(): Promise<IngestFreshnessRow[]> {
    return reports.ingestFreshness(this);
  }
  costMonthStamps(): Promise<CostMonthStamp[]> {
    return reports.costMonthStamps(this);
  }
  exportThrough(): Promise<Date | null> {
    return reports.exportThrough(this);
  }
  billingCurrencies(w: Window): Promise<string[]> {
    return reports.billingCurrencies(this, w);
  }
  exportExchangeRates(w: Window): Promise<ExportRateRow[]> {
    return reports.exportExchangeRates(this, w);
  }
  maturityFacts(w: Window): Promise<MaturityFactsRow> {
    return reports.maturityFacts(this, w);
  }
  spendByBucket(q: {
    source: SpendSource;
    scope: SpendScope;
    value: string | null;
    from: Date;
    to: Date;
    bucketMs: number;
  }): Promise<BucketSpend[]> {
    return spend.spendByBucket(this, q);
  }
  spendCells(source: SpendSource, w: Window, bucketMs: number): Promise<SpendCellRow[]> {
    return spend.spendCells(this, source, w, bucketMs);
  }
  costRows(w: Window, rules: readonly CostMatch[]): Promise<CostRowValues[]> {
    return costs.costRows(this, w, rules);
  }
  costGroups(w: Window, rules: readonly CostMatch[], opts?: { byDay?: boolean }): Promise<CostRowValues[]> {
    return costs.costGroups(this, w, rules, opts);
  }
  costReport(q: CostReportQuery): Promise<CostReportRow[]> {
    return costReport(this, q);
  }
  appendCostRows(rows: readonly CostRowInput[]): Promise<number> {
    return costs.appendCostRows(this, rows);
  }
  isIngested(fileHash: string): Promise<boolean> {
    return ingest.isIngested(this, fileHash);
  }
  replaceCostSlices(runId: string, slices: readonly string[]): Promise<number> {
    return ingest.replaceCostSlices(this, runId, slices);
  }
  settleAzureDatasets(slices: readonly string[]): Promise<void> {
    return ingest.settleAzureDatasets(this, slices);
  }
  recordIngest(rec: IngestRecord): Promise<void> {
    return costs.recordIngest(this, rec);
  }
  deleteCostSource(file: string): Promise<void> {
    return costs.deleteCostSource(this, file);
  }

  // --- budgets, KPIs, metadata ---
  saveBudget(b: BudgetRecord): Promise<void> {
    return tables.saveBudget(this, b);
  }
  deleteBudget(id: string): Promise<boolean> {
    return tables.deleteBudget(this, id);
  }
  listBudgets(): Promise<BudgetRecord[]> {
    return tables.listBudgets(this);
  }
  insertKpis(rows: readonly KpiInput[]): Promise<void> {
    return tables.insertKpis(this, rows);
  }
  deleteKpis(source: string): Promise<void> {
    return tables.deleteKpis(this, source);
  }
  getMeta(namespace: string, key: string): Promise<unknown> {
    return tables.getMeta(this, namespace, key);
  }
  setMeta(namespace: string, key: string, value: unknown): Promise<void> {
    return tables.setMeta(this, namespace, key, value);
  }

  // --- keys ---
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

  // --- users, sessions, audit, incidents ---
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
}
