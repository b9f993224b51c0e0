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
