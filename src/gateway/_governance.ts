/**
 * The governance stages behind the pipeline's hooks: policy → history trimming → limits (reserve) → cache
 * lookup, and after the answer: settle + cache store. State lives per gateway (WeakMap on the services
 * object) and per request (WeakMap on the context), so the pipeline's own types stay unchanged.
 */
import { TallyError, type TallyConfig } from '../core/index.js';
import { countChatTokens, countTextTokens, priceUsage, resolveModel } from '../catalog/index.js';
import type { UsageEvent } from '../ledger/index.js';
import { evaluatePolicy, policyError } from '../policy/index.js';
import {
  admitRequest,
  keyLimitSpec,
  MemoryLimitStore,
  RedisLimitStore,
  seedLimitsFromStore,
  promptTokenBound,
  type LimitCheck,
  type LimitStore,
  type Reservation,
} from './limits/index.js';
import {
  completionToSse,
  exactCacheKey,
  MemoryResponseCache,
  MemorySemanticCache,
  semanticQuery,
  sseToCompletion,
  unitVector,
  type CacheEntry,
  type TenantOwner,
} from './cache/index.js';
import { trimMessages } from './_trim.js';
import type {
  CachedResponse,
  CompletedResponse,
  GatewayServices,
  RequestContext,
  RouteTarget,
  Usage,
} from './pipeline.js';

type GatewayConfig = NonNullable<TallyConfig['gateway']>;

interface GovState {
  readonly limits: LimitStore;
  readonly limitsCfg: GatewayConfig['limits'];
  readonly exact: { cache: MemoryResponseCache; ttlMs: number } | null;
  readonly semantic: { cache: MemorySemanticCache; ttlMs: number; model: string } | null;
}
interface RequestState {
  reservation?: Reservation;
  exactKey?: string;
  semantic?: { partition: string; vector: Float32Array };
}

const gateways = new WeakMap<GatewayServices, GovState>();
const requests = new WeakMap<RequestContext, RequestState>();

function stateOf(services: GatewayServices): GovState {
  const s = gateways.get(services);
  if (!s) throw new TallyError('internal', 'governance used before initGovernance');
  return s;
}
function reqState(ctx: RequestContext): RequestState {
  let s = requests.get(ctx);
  if (!s) requests.set(ctx, (s = {}));
  return s;
}

/** Creates limit and cache state; continues budgets and quotas from the spend already in the store. */
export async function initGovernanceState(services: GatewayServices): Promise<void> {
  const g = services.config.gateway;
  const redis = g?.limits?.redis;
  const limits: LimitStore = redis
    ? await RedisLimitStore.connect(redis.url, redis.prefix)
    : new MemoryLimitStore();
  await seedLimitsFromStore(services.store, limits, services.now());
  const ex = g?.cache?.exact;
  const se = g?.cache?.semantic;
  const state: GovState = {
    limits,
    limitsCfg: g?.limits,
    exact: ex?.enabled
      ? {
          cache: new MemoryResponseCache({ maxEntries: ex.maxEntries, maxBytes: ex.maxBytes }),
          ttlMs: ex.ttlSeconds * 1000,
        }
      : null,
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

// ---- policy ----

const MAX_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

function requestedMaxOutput(body: Record<string, unknown>): number | null {
  for (const f of MAX_FIELDS) {
    const v = body[f];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  }
  return null;
}

const idCache = new Map<string, string[]>();
/** Names a configured or requested model is known by: itself, its dated id and its family. */
function namesOf(model: string): string[] {
  let names = idCache.get(model);
  if (!names) {
    names = [model];
    try {
      const r = resolveModel(model);
      names.push(r.id, r.family);
    } catch {
      // Not in the catalog (self-hosted, custom deployment name): matched by its own name only.
    }
    if (idCache.size > 10_000) idCache.clear();
    idCache.set(model, names);
  }
  return names;
}

/** Policy, after routing so the served models and deployment types are known. Throws policy_denied (403). */
export async function enforcePolicy(ctx: RequestContext): Promise<void> {
  const key = ctx.key;
  const allowed = key?.config['allowedModels'];
  const decision = evaluatePolicy(ctx.services.config.policy, {
    environment: key?.environment ?? null,
    modelNames: [...new Set([ctx.requestModel, ...ctx.targets.flatMap((t) => namesOf(t.model))])],
    deploymentTypes: ctx.targets.map((t) => t.deploymentType),
    requestedMaxOutputTokens: requestedMaxOutput(ctx.body),
    tags: key?.tags ?? {},
    keyAllowedModels: Array.isArray(allowed)
      ? allowed.filter((m): m is string => typeof m === 'string')
      : null,
  });
  if (!decision.allow) throw policyError(decision);
  if (decision.excludedDeploymentTypes.length > 0) {
    const keep = ctx.targets.filter((t) => !decision.excludedDeploymentTypes.includes(t.deploymentType));
    ctx.maxAttempts = Math.min(ctx.maxAttempts, keep.length);
    ctx.targets = keep;
  }
  // Enforce the cap on requests that set none (the field each API reads).
  if (decision.maxOutputTokens !== null && requestedMaxOutput(ctx.body) === null) {
    if (ctx.operation === 'chat') ctx.body['max_completion_tokens'] = decision.maxOutputTokens;
    else if (ctx.operation === 'responses') ctx.body['max_output_tokens'] = decision.maxOutputTokens;
  }
}

// ---- history trimming ----

/** Trims chat history when the route asks for it; records the prompt tokens (and cost) saved. */
export async function trimRouteHistory(ctx: RequestContext): Promise<void> {
  const route = ctx.services.config.gateway?.routes.find((r) => r.model === ctx.requestModel);
  const keep = route?.trimHistory?.keepTurns;
  const messages = ctx.body['messages'];
  if (!keep || !Array.isArray(messages)) return;
  const r = trimMessages(messages, keep);
  if (r.removed === 0) return;
  const target = ctx.targets[0];
  const model = target?.model ?? ctx.requestModel;
  // Count only what was removed (the reply priming, 3 tokens, is not part of it): cheaper than two full counts.
  const kept = new Set(r.messages);
  let saved = 0;
  try {
    saved = Math.max(
      0,
      countChatTokens(
        model,
        messages.filter((m) => !kept.has(m)),
      ) - 3,
    );
  } catch {
    saved = 0;
  }
  ctx.body['messages'] = r.messages;
  ctx.gov.trimmedTokens = saved;
  ctx.responseHeaders['x-tally-trimmed-tokens'] = String(saved);
  if (target && saved > 0)
    ctx.gov.trimSavedNanos = priceOn(ctx, target, { inputTokens: saved, outputTokens: 0 }) ?? 0n;
}

// ---- limits ----

function priceOn(
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

/** Exact prompt tokens of the request as it will be sent (tokenizer), for `promptTokens: exact` and images. */
function promptTokens(ctx: RequestContext, model: string): number {
  const b = ctx.body;
  try {
    if (Array.isArray(b['messages']))
      return countChatTokens(model, b['messages'], Array.isArray(b['tools']) ? b['tools'] : undefined);
    const input = b['input'];
    if (typeof input === 'string') return countTextTokens(model, input);
    if (Array.isArray(input) && input.every((x) => typeof x === 'string'))
      return input.reduce((n: number, x: string) => n + countTextTokens(model, x), 0);
    if (input !== undefined) return countTextTokens(model, JSON.stringify(input));
  } catch {
    // No tokenizer for this model: fall through to the byte bound (a token is at least one byte).
  }
  return Buffer.byteLength(JSON.stringify(b['messages'] ?? b['input'] ?? ''));
}

function hasLimits(st: GovState, ctx: RequestContext): boolean {
  const key = ctx.key;
  if (!key) return false;
  const spec = keyLimitSpec(key.config);
  if (spec.tpm !== undefined || spec.quota || spec.budget) return true;
  const cfg = st.limitsCfg;
  return (
    !!cfg &&
    ((key.team !== null && Object.hasOwn(cfg.teams, key.team)) ||
      (key.app !== null && Object.hasOwn(cfg.apps, key.app)))
  );
}

/** Reserves the request's worst case (prompt + max output, at the dearest target) on every applicable limit. */
export async function reserveRequestLimits(ctx: RequestContext): Promise<void> {
  const st = stateOf(ctx.services);
  if (!hasLimits(st, ctx) || !ctx.key) return;
  const model = ctx.targets[0]?.model ?? ctx.requestModel;
  const bound = st.limitsCfg?.promptTokens === 'exact' ? null : promptTokenBound(ctx.body);
  const prompt = bound ?? promptTokens(ctx, model);
  const n = typeof ctx.body['n'] === 'number' && ctx.body['n'] > 1 ? Math.floor(ctx.body['n']) : 1;
  const maxOut =
    ctx.operation === 'embeddings'
      ? 0
      : (requestedMaxOutput(ctx.body) ?? st.limitsCfg?.reserveOutputTokens ?? 4096) * n;
  let worstCost = 0n;
  for (const t of ctx.targets.slice(0, Math.max(1, ctx.maxAttempts))) {
    const c = priceOn(ctx, t, { inputTokens: prompt, outputTokens: maxOut });
    if (c !== null && c > worstCost) worstCost = c;
  }
  const key = ctx.key;
  const r = await admitRequest(
    st.limits,
    st.limitsCfg,
    ctx.id,
    { keyId: key.id, team: key.team, app: key.app, keyConfig: key.config },
    { tokens: BigInt(prompt + maxOut), costNanos: worstCost },
    ctx.services.now(),
  );
  Object.assign(ctx.responseHeaders, r.headers);
  if (!r.ok) throw r.error;
  if (r.reservation) reqState(ctx).reservation = r.reservation;
  for (const c of r.softBreaches) recordSoftBreach(ctx, c);
}

function recordSoftBreach(ctx: RequestContext, c: LimitCheck): void {
  // Once per window per counter: a rare write, off the response path.
  ctx.services.store
    .setMeta('gateway.soft-budget-breaches', c.id, {
      rule: c.rule,
      limitNanos: c.limit.toString(),
      at: new Date(ctx.services.now()).toISOString(),
      requestId: ctx.id,
    })
    .catch((err: unknown) => ctx.services.onError(err));
}

/** Settles the reservation to what the request actually used (cache hits and failures use nothing). */
export async function settleRequestLimits(ctx: RequestContext, event: UsageEvent): Promise<void> {
  const rs = requests.get(ctx);
  const res = rs?.reservation;
  if (!res) return;
  rs.reservation = undefined;
  const hit = event.cacheOutcome === 'hit-exact' || event.cacheOutcome === 'hit-semantic';
  const tokens = hit ? 0n : BigInt(event.inputTokens + event.outputTokens);
  await stateOf(ctx.services).limits.settle(res, { tokens, costNanos: event.costNanos }, ctx.services.now());
}

// ---- caches ----

const bypassed = (ctx: RequestContext): boolean => {
  const cc = String(ctx.req.headers['cache-control'] ?? '');
  return /no-cache|no-store/i.test(cc) || String(ctx.req.headers['x-tally-cache'] ?? '') === 'bypass';
};

function ownerOf(ctx: RequestContext): TenantOwner {
  return { keyId: ctx.key?.id ?? null, team: ctx.key?.team ?? null, app: ctx.key?.app ?? null };
}

function asHit(
  ctx: RequestContext,
  entry: CacheEntry,
  outcome: CachedResponse['outcome'],
): CachedResponse | null {
  if (!ctx.stream)
    return {
      outcome,
      contentType: 'application/json',
      body: entry.body,
      usage: entry.usage,
      savedCostNanos: entry.costNanos,
    };
  const sse = completionToSse(entry.body, ctx.clientWantsUsage);
  if (!sse) return null;
  return {
    outcome,
    contentType: 'text/event-stream',
    body: sse,
    usage: entry.usage,
    savedCostNanos: entry.costNanos,
  };
}

/** Exact then semantic lookup within the tenant's scope; on a miss, remembers the keys for `storeCache`. */
export async function lookupResponseCache(ctx: RequestContext): Promise<CachedResponse | null> {
  const st = stateOf(ctx.services);
  if (!st.exact && !st.semantic) return null;
  if (ctx.operation === 'responses' || (ctx.operation === 'embeddings' && ctx.stream)) return null;
  if (bypassed(ctx)) {
    ctx.cacheOutcome = 'bypass';
    ctx.responseHeaders['x-tally-cache'] = 'bypass';
    return null;
  }
  const rs = reqState(ctx);
  const now = ctx.services.now();
  const owner = ownerOf(ctx);
  if (st.exact) {
    rs.exactKey = exactCacheKey(owner, ctx.operation, ctx.requestModel, ctx.body);
    const e = await st.exact.cache.get(rs.exactKey, now);
    const hit = e ? asHit(ctx, e, 'hit-exact') : null;
    if (hit) return hit;
  }
  const embed = ctx.services.embed;
  if (st.semantic && embed && ctx.operation === 'chat') {
    const q = semanticQuery(owner, ctx.requestModel, ctx.body);
    if (q) {
      try {
        const [v] = await embed(st.semantic.model, [q.text]);
        const vector = v ? unitVector(v) : null;
        if (vector) {
          rs.semantic = { partition: q.partition, vector };
          const h = st.semantic.cache.lookup(q.partition, vector, now);
          const hit = h ? asHit(ctx, h.entry, 'hit-semantic') : null;
          if (hit) return hit;
        }
      } catch (err) {
        // The embedding deployment failing must not fail the request: it is just a miss.
        ctx.services.onError(err);
      }
    }
  }
  ctx.cacheOutcome = 'miss';
  ctx.responseHeaders['x-tally-cache'] = 'miss';
  if (ctx.stream) ctx.gov.captureStream = true;
  return null;
}

/** Stores a successful upstream answer under the keys computed at lookup. */
export async function storeResponseCache(ctx: RequestContext, response: CompletedResponse): Promise<void> {
  const rs = requests.get(ctx);
  const st = gateways.get(ctx.services);
  if (!rs || !st || response.status !== 200 || !response.body || response.usage.source !== 'reported') return;
  const body = ctx.stream ? sseToCompletion(response.body) : response.body;
  if (!body) return;
  const usage: Usage = { ...response.usage };
  const entry: CacheEntry = { body, usage, costNanos: response.costNanos };
  const now = ctx.services.now();
  if (st.exact && rs.exactKey) await st.exact.cache.set(rs.exactKey, entry, st.exact.ttlMs, now);
  if (st.semantic && rs.semantic)
    st.semantic.cache.store(rs.semantic.partition, rs.semantic.vector, entry, st.semantic.ttlMs, now);
}
