/**
 * The types every gateway stage shares: the request context, the services, the core stages' contract. A leaf
 * file: the pipeline, the governance stages and the caches import it, and it imports none of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TallyConfig } from '../core/index.js';
import type { CacheOutcome, DeploymentType, UsageEvent, UsageSource } from '../ledger/index.js';
import type { CostStore, VirtualKeyRecord } from '../store/index.js';

/** The API operation a request asks for (gen_ai.operation.name). */
export type Operation = 'chat' | 'embeddings' | 'responses';

/** A deployment a request can be sent to: one entry of a route's `targets`. */
export interface RouteTarget {
  /** Configured upstream name. */
  readonly upstream: string;
  /** Upstream kind: azure-openai | openai | openai-compatible. */
  readonly kind: 'azure-openai' | 'openai' | 'openai-compatible';
  /** Deployment name at the upstream (Azure deployment, or the model id sent to OpenAI-style servers). */
  readonly deployment: string;
  /** Model the deployment serves, as configured (catalog name or alias). */
  readonly model: string;
  readonly deploymentType: DeploymentType;
  readonly region: string | null;
  /** Self-hosted with a declared hourly cost: its tokens are priced from its hours (ADR 0026), never per token. */
  readonly hosted?: boolean;
}

/** Token usage of one request, OpenAI semantics (input includes cached, output includes reasoning). */
export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  source: UsageSource;
}

/** A response served from a cache instead of the upstream. */
export interface CachedResponse {
  readonly outcome: Extract<CacheOutcome, 'hit-exact' | 'hit-semantic'>;
  /** Content type to send (application/json, or text/event-stream for a replayed stream). */
  readonly contentType: string;
  readonly body: Buffer;
  /** Usage the original response reported (the hit itself costs nothing upstream). */
  readonly usage: Usage;
  /** What the original call cost, nano-USD: the saving this hit records. */
  readonly savedCostNanos: bigint;
}

/** What a usage cost on a target: effective and list cost (nano-USD) and the price version used. */
export interface Priced {
  readonly costNanos: bigint;
  readonly listCostNanos: bigint;
  readonly priceVersion: string;
}

/** A completed upstream response, offered to the cache store hook. */
export interface CompletedResponse {
  readonly status: number;
  readonly contentType: string;
  /** Whole body for JSON responses; for streams only when a hook set `ctx.gov.captureStream`. */
  readonly body: Buffer | null;
  readonly usage: Usage;
  readonly costNanos: bigint;
  /** The price the upstream stage computed for the cost header, reused by the meter (null: no catalog price). */
  readonly priced?: Priced | null;
  /** ms from the request's arrival to the first content relayed (streams) or the upstream's headers (JSON). */
  readonly ttftMs?: number | null;
}

/** Long-lived state the governance modules keep (one instance per gateway). Typed by their owners. */
export interface GovernanceState {
  limits?: unknown;
  exactCache?: unknown;
  semanticCache?: unknown;
}

/** What every stage can use for the life of the gateway. */
export interface GatewayServices {
  readonly config: TallyConfig;
  readonly store: CostStore;
  /** Milliseconds since the epoch (injectable for tests of windows). */
  now(): number;
  /** Reports a background failure (never a secret) without failing the request. */
  onError(err: unknown): void;
  /**
   * Embeds texts through a routed embeddings deployment (for the semantic cache); undefined when the gateway
   * has none. Vectors come back in input order. With `ctx`, the call is metered against that request's tenant.
   */
  embed?: (model: string, input: readonly string[], ctx?: RequestContext) => Promise<number[][]>;
  /** The deployment `embed` calls for a model (priced into hard-budget reservations); undefined when none. */
  embedTarget?: (model: string) => RouteTarget | undefined;
  /** Governance modules' own state, created in `initGovernance`. */
  readonly governance: GovernanceState;
}

/** Per-request governance scratch space (reservation handles, cache keys, tokens saved by trimming). */
export interface GovernanceScratch {
  reservation?: unknown;
  cacheKey?: string;
  /** Prompt tokens removed by history trimming. */
  trimmedTokens?: number;
  /** Cost avoided by trimming, nano-USD (added to the event's savedCostNanos). */
  trimSavedNanos?: bigint;
  /** Ask the upstream stage to keep a stream's raw bytes for `storeCache`. */
  captureStream?: boolean;
  /** Cost of calls the gateway made for this request's own sake (semantic-cache embeddings), nano-USD. */
  internalCostNanos?: bigint;
}

/** Everything known about one request as it moves through the stages. */
export interface RequestContext {
  /** Request id (also `x-tally-request-id` and the ledger event id). */
  readonly id: string;
  /** Start, epoch ms. */
  readonly startTime: number;
  /** Start on the monotonic clock (performance.now(), ms), for the gateway's own overhead. */
  readonly startedAt: number;
  /** Time spent waiting on upstreams (sending, first byte, body), ms; the rest is the gateway's overhead. */
  upstreamMs: number;
  readonly operation: Operation;
  /** openai: /v1/...; azure: /openai/deployments/{deployment}/... */
  readonly wire: 'openai' | 'azure';
  /** The Azure-style deployment named in the path, if any. */
  readonly pathDeployment: string | null;
  /** The parsed JSON body; stages may rewrite it (trimming, max_tokens caps) before it is sent upstream. */
  body: Record<string, unknown>;
  /** Model (OpenAI style) or deployment (Azure style) the client asked for. */
  readonly requestModel: string;
  readonly stream: boolean;
  /** The client asked for the final usage chunk itself (otherwise we add it upstream and strip it). */
  readonly clientWantsUsage: boolean;
  /** The authenticated virtual key; set by `authenticate`. */
  key: VirtualKeyRecord | null;
  /** End user for per-user metering (`user` field or `x-tally-user` header). */
  endUser: string | null;
  /** Tags the request set with `x-tally-tags` (allowed keys only), or null; the key's own tags win over them. */
  readonly requestTags: Readonly<Record<string, string>> | null;
  /** Ordered deployments to try; set by `route`. */
  targets: readonly RouteTarget[];
  /** The deployment that answered (or was last tried). */
  target: RouteTarget | null;
  /** Upstream calls made (spillover included); failed attempts are not billed, the answer is billed once. */
  attempts: number;
  /** Attempts allowed across `targets`. */
  maxAttempts: number;
  cacheOutcome: CacheOutcome;
  /** Headers to add to the response, success or error (rate-limit headers, cost, request id). */
  readonly responseHeaders: Record<string, string>;
  readonly gov: GovernanceScratch;
  readonly services: GatewayServices;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** The gateway's own stages, supplied by the server so this composition stays pure and testable. */
export interface CoreStages {
  /** Sets ctx.key; returns a promise only when it has to wait (a key the cache does not know yet). */
  authenticate(ctx: RequestContext): Promise<void> | void;
  route(ctx: RequestContext): void;
  /** Sends to the targets in order (spillover), streams the answer to the client, returns what was served. */
  forward(ctx: RequestContext): Promise<CompletedResponse>;
  /** Writes a cached answer to the client. */
  serveCached(ctx: RequestContext, hit: CachedResponse): void;
  /** Builds, prices and appends the ledger event; `err` when the request failed. */
  meter(ctx: RequestContext, outcome: CompletedResponse | CachedResponse | null, err: unknown): UsageEvent;
}
