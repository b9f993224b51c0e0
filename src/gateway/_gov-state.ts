/**
 * Governance state: one GovState per gateway (WeakMap on the services object) and one RequestState per
 * request (WeakMap on the context), so the pipeline's own types stay unchanged. Created at gateway start.
 */
import { TallyError, type TallyConfig } from '../core/index.js';
import { priceUsage } from '../catalog/index.js';
import {
  connectRedis,
  MemoryLimitStore,
  RedisLimitStore,
  seedLimitsFromStore,
  withHardBudgets,
  type LimitStore,
  type Reservation,
} from './limits/index.js';
import {
  MemoryResponseCache,
  MemorySemanticCache,
  RedisResponseCache,
  type ResponseCache,
} from './cache/index.js';
import { resolveSecret } from './_secrets.js';
import type { GatewayServices, RequestContext, RouteTarget } from './_context.js';
import { OUTPUT_CAP_FIELDS } from './_requests.js';

type GatewayConfig = NonNullable<TallyConfig['gateway']>;

/** Per-gateway governance state. */
export interface GovState {
  readonly limits: LimitStore;
  readonly limitsCfg: GatewayConfig['limits'];
  readonly exact: { cache: ResponseCache; ttlMs: number } | null;
  readonly semantic: { cache: MemorySemanticCache; ttlMs: number; model: string } | null;
}
/** Per-request governance scratch: the reservation and the cache keys computed at lookup. */
export interface RequestState {
  reservation?: Reservation | undefined;
  exactKey?: string;
  semantic?: { partition: string; vector: Float32Array };
}

const gateways = new WeakMap<GatewayServices, GovState>();

/** The gateway's state; throws when governance was not initialised. */
export function stateOf(services: GatewayServices): GovState {
  const s = gateways.get(services);
  if (!s) throw new TallyError('internal', 'governance used before initGovernance');
  return s;
}
/**
 * The request's state: it lives in the context's governance scratch (`ctx.gov`), which is created with the
 * request and dropped with it (a per-request WeakMap entry made every young-generation GC slower).
 */
export function reqState(ctx: RequestContext): RequestState {
  return ctx.gov as RequestState;
}

/**
 * Creates limit and cache state; continues budgets and quotas from the spend already in the store. With
 * `gateway.limits.redis`, limits and the exact cache live in Redis (shared by replicas); a gateway whose Redis
 * is down at start still starts: hard budgets refuse until Redis is back and seeded (ADR 0020).
 */
export async function initGovernanceState(services: GatewayServices): Promise<void> {
  const g = services.config.gateway;
  const redis = g?.limits?.redis;
  const ex = g?.cache?.exact;
  const se = g?.cache?.semantic;
  let limits: LimitStore;
  let exact: ResponseCache | null = null;
  if (redis) {
    const o = {
      url: redis.url,
      username: redis.username,
      password: redis.password ? resolveSecret(redis.password, 'gateway.limits.redis.password') : undefined,
      tls: redis.tls,
      connectTimeoutMs: redis.connectTimeoutMs,
      commandTimeoutMs: redis.commandTimeoutMs,
    };
    const onError = (e: Error) => services.onError(e);
    const { client, ready } = await connectRedis(o, onError);
    const store = new RedisLimitStore(
      client,
      {
        prefix: redis.prefix,
        onError,
        // Also after Redis came back empty: counters continue from the ledger, not from zero.
        recover: (s) => seedLimitsFromStore(services.store, s, services.now()),
      },
      true,
    );
    if (ready) await store.whenReady(redis.connectTimeoutMs);
    limits = store;
    if (ex?.enabled)
      exact = new RedisResponseCache(
        client,
        { maxEntries: ex.maxEntries, maxBytes: ex.maxBytes },
        redis.prefix,
        onError,
      );
  } else {
    limits = new MemoryLimitStore();
    await seedLimitsFromStore(services.store, limits, services.now());
    if (ex?.enabled) exact = new MemoryResponseCache({ maxEntries: ex.maxEntries, maxBytes: ex.maxBytes });
  }
  const state: GovState = {
    limits,
    limitsCfg: withHardBudgets(g?.limits, services.config.budgets),
    exact: exact && ex ? { cache: exact, ttlMs: ex.ttlSeconds * 1000 } : null,
    semantic: se?.enabled
      ? {
          cache: new MemorySemanticCache({ threshold: se.threshold, maxEntries: se.maxEntries }),
          ttlMs: se.ttlSeconds * 1000,
          model: se.embeddingModel,
        }
      : null,
  };
  gateways.set(services, state);
  services.governance.limits = limits;
  services.governance.exactCache = state.exact?.cache;
  services.governance.semanticCache = state.semantic?.cache;
}

/** Drops governance state at shutdown. */
export async function closeGovernanceState(services: GatewayServices): Promise<void> {
  const s = gateways.get(services);
  gateways.delete(services);
  await s?.limits.close();
}

/** The request state (see `reqState`). */
export function findReqState(ctx: RequestContext): RequestState {
  return ctx.gov as RequestState;
}

/** The gateway state, or undefined after close. */
export function findState(services: GatewayServices): GovState | undefined {
  return gateways.get(services);
}

/**
 * The output cap a request sets itself (tokens), or null: the largest of every cap field present, because
 * providers differ in which one they honour (`max_tokens: 50` with `max_completion_tokens: 100000` gets the
 * second from OpenAI). The fields were checked to be integers at admission.
 */
export function requestedMaxOutput(body: Record<string, unknown>): number | null {
  let max: number | null = null;
  for (const f of OUTPUT_CAP_FIELDS) {
    const v = body[f];
    if (typeof v === 'number' && (max === null || v > max)) max = v;
  }
  return max;
}

/** Cost of a usage on a target at the request's time and the configured discounts; null when unpriced. */
export function priceOn(
  ctx: RequestContext,
  t: RouteTarget,
  u: { inputTokens: number; outputTokens: number },
): bigint | null {
  try {
    return priceUsage(
      { inputTokens: u.inputTokens, cachedInputTokens: 0, outputTokens: u.outputTokens },
      {
        model: t.model,
        deployment: t.deploymentType,
        provider: t.kind,
        region: t.region ?? undefined,
        at: new Date(ctx.startTime),
      },
      ctx.services.config.pricing.discounts,
    ).costNanos;
  } catch {
    return null;
  }
}
