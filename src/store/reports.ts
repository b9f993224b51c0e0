/**
 * Row types of the store's named report operations (store.ts): what each aggregate returns, backend-neutral.
 * Money is exact: nanos as bigint, or exact decimal text where the column is a DECIMAL of USD (cost exports).
 * Instants are Date or ISO-8601 text as named; a day is YYYY-MM-DD in UTC.
 */

/** A half-open time window [from, to). */
export interface Window {
  readonly from: Date;
  readonly to: Date;
}

/** Ledger usage per upstream, deployment, model, deployment type and UTC day (reconciliation's input). */
export interface MeteredUsageRow {
  readonly upstream: string | null;
  readonly deployment: string | null;
  readonly model: string;
  readonly deploymentType: string;
  readonly day: string;
  readonly requests: number;
  readonly inputTokens: bigint;
  readonly outputTokens: bigint;
  readonly costNanos: bigint;
  readonly listCostNanos: bigint;
  readonly priceVersions: readonly string[];
}

/** Usage columns a report may group output tokens by (carbon). */
export type TokenGroupColumn =
  'team' | 'app' | 'model' | 'region' | 'deployment' | 'environment' | 'cost_center';

/** Output tokens and requests per (key, model, provider, region). */
export interface TokenGroupRow {
  readonly key: string | null;
  readonly model: string;
  readonly provider: string;
  readonly region: string | null;
  readonly requests: number;
  readonly outputTokens: number;
}

/** Requests, conversations and active end users of one app or team (or 'all'). */
export interface ActivityRow {
  readonly scope: string | null;
  readonly requests: number;
  readonly conversations: number;
  readonly activeUsers: number;
}

/** Activity of one window per app, per team and overall (`usageActivityScopes`), each as `usageActivity`. */
export interface ActivityScopes {
  readonly app: readonly ActivityRow[];
  readonly team: readonly ActivityRow[];
  readonly all: readonly ActivityRow[];
}

/** One business KPI value; `value` is exact decimal text. */
export interface KpiRow {
  readonly day: string;
  readonly app: string | null;
  readonly team: string | null;
  /** A declared group of apps (`unitEconomics.groups`) the KPI belongs to; null for an app or team KPI. */
  readonly group: string | null;
  readonly metric: string;
  readonly value: string;
}

/** Requests, tokens, cache and latency of one model and deployment. */
export interface DeploymentStatsRow {
  readonly model: string;
  readonly deployment: string | null;
  readonly deploymentType: string;
  readonly requests: number;
  readonly inputTokens: bigint;
  readonly cachedInputTokens: bigint;
  readonly outputTokens: bigint;
  readonly cacheHits: number;
  readonly errors: number;
  readonly avgLatencyMs: number | null;
  readonly p95LatencyMs: number | null;
  readonly avgTtftMs: number | null;
  readonly costNanos: bigint;
  readonly listCostNanos: bigint;
}

/** A stored budget (`tally budgets set`). Thresholds are the JSON the budgets module wrote. */
export interface BudgetRecord {
  readonly id: string;
  readonly scope: string;
  readonly value: string | null;
  readonly period: string;
  readonly amountNanos: bigint;
  readonly thresholds: unknown;
  readonly hard: boolean;
  /** ISO-8601 instants (UTC), or null. */
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly createdAt: string;
}

/** Budget scope kinds, and the scope a daily spend series is read for. */
export type SpendScope = 'all' | 'team' | 'app' | 'cost_center' | 'key' | 'model';

/** Where spend is read from: the gateway's usage ledger or ingested cost exports. */
export type SpendSource = 'usage' | 'costs';

/** Exact spend in one time bucket (epoch ms of its start, UTC). */
export interface BucketSpend {
  readonly bucket: number;
  readonly costNanos: bigint;
}

/** Spend of one time bucket and one combination of dimension values (forecasts and anomalies). */
export interface SpendCellRow {
  readonly bucket: number;
  readonly dims: Readonly<Record<string, string | null>>;
  /** Cost-export cells: the rows' BillingCurrency (ledger cells are USD and leave it out). */
  readonly currency?: string | null;
  readonly costNanos: bigint;
  readonly tokens: number;
}

/** Token and cost totals per key, team and app since several cut-offs (one entry per cut-off, same order). */
export interface UsageTotalsRow {
  readonly keyId: string | null;
  readonly team: string | null;
  readonly app: string | null;
  /** Upstream tokens (cache hits excluded) since each cut-off. */
  readonly tokens: readonly bigint[];
  readonly costNanos: readonly bigint[];
}

/** How much the ledger holds in a window (or overall): event count and first/last start time. */
export interface UsageExtent {
  readonly events: number;
  readonly first: Date | null;
  readonly last: Date | null;
}

/** What identifies one month's cost rows: their count and newest ingest id (`costMonthStamps`). */
export interface CostMonthStamp {
  /** "YYYY-MM" of ChargePeriodStart, UTC. */
  readonly month: string;
  readonly rows: number;
  readonly lastIngestId: string;
}

/** The last ingest of one export format. */
export interface IngestFreshnessRow {
  readonly format: string;
  readonly lastIngestAt: Date | null;
  readonly rows: number;
  /** The latest ChargePeriodEnd of all stored cost rows. */
  readonly lastChargeAt: Date | null;
}

/** Daily tokens of successful pay-as-you-go requests (the demo's export builder). */
export interface TokenDayRow {
  readonly day: string;
  readonly account: string;
  readonly model: string;
  readonly type: string;
  readonly uncached: bigint;
  readonly cached: bigint;
  readonly output: bigint;
}

/** A business KPI value to store. `value` is decimal text. */
export interface KpiInput {
  readonly day: string;
  readonly app: string | null;
  readonly team: string | null;
  /** A declared group of apps; absent or null for an app or team KPI. */
  readonly group?: string | null;
  readonly metric: string;
  readonly value: string;
  readonly source: string;
}

/** An allocation rule's match: FOCUS/x_ column (or Tags.<key>) to accepted values (trimmed, case-insensitive). */
export type CostMatch = Readonly<Record<string, readonly string[]>>;

/** One cost row (or group of alike rows) as exact text per FOCUS column. */
export interface CostRowValues {
  readonly index: number;
  readonly values: Record<string, string | null>;
}

/** An exchange rate a cost export carries: 1 unit of the pricing currency is `rate` (exact text) billing units. */
export interface ExportRateRow {
  readonly day: string;
  readonly pricingCurrency: string;
  readonly billingCurrency: string;
  readonly rate: string;
}

/** What the maturity rules read from the store. */
export interface MaturityFactsRow {
  readonly ledgerCostNanos: bigint;
  readonly taggedCostNanos: bigint;
  readonly ledgerListNanos: bigint;
  /** List cost of AI token meters in the exports (what the gateway could have seen); null without exports. */
  readonly exportTokenListNanos: bigint | null;
  readonly activeKeys: number;
  readonly keysWithLimits: number;
  readonly teamsWithSpend: readonly string[];
  readonly appsWithSpend: number;
  readonly appsWithKpis: number;
  readonly incidentsTriaged: number;
}

/** The costs report: exact sums over a window grouped by FOCUS/x_ columns, optional time buckets and filters. */
export interface CostReportQuery {
  readonly by: readonly string[];
  readonly from: Date;
  readonly to: Date;
  readonly aiOnly?: boolean;
  /** Adds a leading `date` dimension: the bucket start (YYYY-MM-DD, UTC). */
  readonly granularity?: 'day' | 'week' | 'month' | undefined;
  readonly filters?: readonly { readonly column: string; readonly value: string }[];
  /** Only rows whose `team` tag is one of these (an empty list matches nothing). */
  readonly teams?: readonly string[] | undefined;
}

/** One costs-report row: the dimension labels and values in order, exact decimal sums (USD) and the row count. */
export interface CostReportRow {
  readonly dims: readonly (readonly [label: string, value: unknown])[];
  readonly billed: string;
  readonly effective: string;
  readonly list: string;
  readonly rows: number;
}

/** One cost row to store: FOCUS values as text (exact decimals, ISO-8601 instants, JSON text) and bookkeeping. */
export interface CostRowInput {
  readonly rowId: string;
  readonly sourceFile: string | null;
  readonly sourceLine: number | null;
  readonly sliceKey: string | null;
  readonly ingestId: string | null;
  /** FOCUS column name to its text value; absent columns are NULL. */
  readonly values: Readonly<Record<string, string | null>>;
}

/**
 * A file of cost rows for `loadCostRows`, the interchange between ingest's file engine and any backend. `csv`,
 * which every backend loads: RFC 4180 (`"` quotes and escapes, UTF-8, LF), no header, the columns of
 * COST_ROW_FILE_COLUMNS in order, `\N` (unquoted) for NULL; decimals as exact text, instants as ISO-8601 with an
 * offset, JSON as its text. `parquet`, which DuckDB loads (typed: no text to parse again): the same columns by
 * name in DuckDB's own types. Every row carries `ingestId` in `_ingest_id`.
 */
export interface CostRowsFile {
  readonly path: string;
  readonly ingestId: string;
  readonly format: 'csv' | 'parquet';
}

/** The record of one ingested file. */
export interface IngestRecord {
  readonly id: string;
  readonly file: string;
  readonly fileHash: string;
  readonly format: string;
  readonly sliceKey: string | null;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  readonly ingestedAt: Date;
}
