/**
 * UsageEvent: one metered request, the row type of the store's usage_events table. It lives in the store, below
 * the ledger that writes it, so the store never imports the ledger (the ledger re-exports it). Field names are
 * ours (camelCase); a field's comment names the OpenTelemetry GenAI attribute it corresponds to, where one
 * exists. Tally does not emit OpenTelemetry spans or metrics (Prometheus /metrics is its telemetry).
 */
import type { Nanos } from '../core/index.js';

/** How the gateway reached the model. */
export const DEPLOYMENT_TYPES = [
  'global-standard',
  'data-zone',
  'regional',
  'batch',
  'provisioned',
  'fine-tuned',
] as const;
/** Azure-style deployment type (also used for OpenAI/Anthropic direct: global-standard). */
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

/** Where the token counts came from. */
export type UsageSource = 'reported' | 'estimated' | 'partial';

/** What the response cache did for this request. */
export type CacheOutcome = 'none' | 'miss' | 'hit-exact' | 'hit-semantic' | 'bypass';

/** One metered request, as the ledger stores it. */
export interface UsageEvent {
  /** Unique id; the ledger deduplicates on it. */
  id: string;
  /** Request start, epoch milliseconds UTC. */
  startTime: number;
  durationMs: number;
  /** Time to first token for streams; null otherwise. */
  ttftMs: number | null;
  keyId: string | null;
  team: string | null;
  app: string | null;
  environment: string | null;
  costCenter: string | null;
  endUser: string | null;
  tags: Record<string, string>;
  /** openai, azure-openai, anthropic, openai-compatible... (gen_ai.provider.name) */
  provider: string;
  /** Configured upstream name. */
  upstream: string | null;
  /** Deployment name at the upstream. */
  deployment: string | null;
  /** Model the client asked for (gen_ai.request.model). */
  requestModel: string;
  /** Resolved, dated model (gen_ai.response.model), e.g. gpt-4o-2024-08-06. */
  model: string;
  deploymentType: DeploymentType;
  region: string | null;
  /** chat, embeddings, responses, completions (gen_ai.operation.name). */
  operation: string;
  streamed: boolean;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  usageSource: UsageSource;
  httpStatus: number;
  errorClass: string | null;
  cacheOutcome: CacheOutcome;
  attempts: number;
  /** Exact cost at effective prices, nano-USD. */
  costNanos: Nanos;
  /** Exact cost at list prices, nano-USD. */
  listCostNanos: Nanos;
  /** Cost avoided by a cache hit or history trimming, nano-USD. */
  savedCostNanos: Nanos;
  /** Price catalog version used to price this event. */
  priceVersion: string | null;
}

/**
 * Logical type of a usage column; each backend maps it to a physical type (DuckDB: duckdb/_migrations.ts,
 * PostgreSQL: its own DDL) and the WAL codec to a JSON form. `nanos` is exact money (bigint nano-USD, written
 * to the WAL as a decimal string); `epochMs` is a UTC instant held in memory as epoch milliseconds.
 */
export type UsageColumnType = 'text' | 'epochMs' | 'int32' | 'int16' | 'int64' | 'bool' | 'nanos' | 'json';

/** One column of the usage_events table and the UsageEvent field it stores. */
export interface UsageColumn {
  /** The UsageEvent field (and the WAL line's JSON key). */
  readonly field: keyof UsageEvent;
  /** The store's column name (snake_case). */
  readonly name: string;
  readonly type: UsageColumnType;
  readonly nullable: boolean;
  /** Values repeat from event to event (team, model...): the WAL encoder quotes each distinct value once. */
  readonly repeats: boolean;
}

type Spec = readonly [name: string, type: UsageColumnType, nullable?: 'null', repeats?: 'repeats'];

// Keyed by field and checked with `satisfies`: a UsageEvent field without a column (or a column without a field)
// does not compile. The order is the table's column order, the WAL line's key order and the appenders' order.
const SPECS = {
  id: ['id', 'text'],
  startTime: ['start_time', 'epochMs'],
  durationMs: ['duration_ms', 'int32'],
  ttftMs: ['ttft_ms', 'int32', 'null'],
  keyId: ['key_id', 'text', 'null', 'repeats'],
  team: ['team', 'text', 'null', 'repeats'],
  app: ['app', 'text', 'null', 'repeats'],
  environment: ['environment', 'text', 'null', 'repeats'],
  costCenter: ['cost_center', 'text', 'null', 'repeats'],
  endUser: ['end_user', 'text', 'null'],
  tags: ['tags', 'json', 'null'],
  provider: ['provider', 'text', undefined, 'repeats'],
  upstream: ['upstream', 'text', 'null', 'repeats'],
  deployment: ['deployment', 'text', 'null', 'repeats'],
  requestModel: ['request_model', 'text', undefined, 'repeats'],
  model: ['model', 'text', undefined, 'repeats'],
  deploymentType: ['deployment_type', 'text', undefined, 'repeats'],
  region: ['region', 'text', 'null', 'repeats'],
  operation: ['operation', 'text', undefined, 'repeats'],
  streamed: ['streamed', 'bool'],
  inputTokens: ['input_tokens', 'int64'],
  cachedInputTokens: ['cached_input_tokens', 'int64'],
  outputTokens: ['output_tokens', 'int64'],
  reasoningTokens: ['reasoning_tokens', 'int64'],
  usageSource: ['usage_source', 'text', undefined, 'repeats'],
  httpStatus: ['http_status', 'int16'],
  errorClass: ['error_class', 'text', 'null', 'repeats'],
  cacheOutcome: ['cache_outcome', 'text', undefined, 'repeats'],
  attempts: ['attempts', 'int16'],
  costNanos: ['cost_nanos', 'nanos'],
  listCostNanos: ['list_cost_nanos', 'nanos'],
  savedCostNanos: ['saved_cost_nanos', 'nanos'],
  priceVersion: ['price_version', 'text', 'null', 'repeats'],
} as const satisfies Record<keyof UsageEvent, Spec>;

/**
 * The usage event's columns, in order: the one list the DDL, the WAL codec, the WAL loader and the appenders
 * derive from, so adding a column is one line here (plus the UsageEvent field it stores).
 */
export const USAGE_COLUMNS: readonly UsageColumn[] = Object.entries(SPECS).map(([field, s]) => {
  const spec = s as Spec;
  return {
    field: field as keyof UsageEvent,
    name: spec[0],
    type: spec[1],
    nullable: spec[2] === 'null',
    repeats: spec[3] === 'repeats',
  };
});

/** The usage_events column names, in order. */
export const USAGE_COLUMN_NAMES: readonly string[] = USAGE_COLUMNS.map((c) => c.name);

/** A UsageEvent with every optional field defaulted; handy for producers that know only part of it. */
export function makeUsageEvent(
  p: Partial<UsageEvent> & Pick<UsageEvent, 'id' | 'startTime' | 'model'>,
): UsageEvent {
  return {
    durationMs: 0,
    ttftMs: null,
    keyId: null,
    team: null,
    app: null,
    environment: null,
    costCenter: null,
    endUser: null,
    tags: {},
    provider: 'azure-openai',
    upstream: null,
    deployment: null,
    requestModel: p.model,
    deploymentType: 'global-standard',
    region: null,
    operation: 'chat',
    streamed: false,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    usageSource: 'reported',
    httpStatus: 200,
    errorClass: null,
    cacheOutcome: 'none',
    attempts: 1,
    costNanos: 0n,
    listCostNanos: 0n,
    savedCostNanos: 0n,
    priceVersion: null,
    ...p,
  };
}
