/** Cache stages: exact then semantic lookup inside the tenant's scope; store successful answers on a miss. */
import {
  completionToSse,
  exactCacheKey,
  semanticQuery,
  sseToCompletion,
  unitVector,
  type CacheEntry,
  type TenantOwner,
} from './cache/index.js';
import {
  findReqState,
  findState,
  reqState,
  stateOf,
  type GovState,
  type RequestState,
} from './_gov-state.js';
import type { CachedResponse, CompletedResponse, RequestContext, Usage } from './_context.js';

// ---- caches ----

const bypassed = (ctx: RequestContext): boolean => {
  const cc = String(ctx.req.headers['cache-control'] ?? '');
  return /no-cache|no-store/i.test(cc) || String(ctx.req.headers['x-tally-cache'] ?? '') === 'bypass';
};

function ownerOf(ctx: RequestContext): TenantOwner {
  const key = ctx.key;
  const owner = { keyId: key?.id ?? null, team: key?.team ?? null, app: key?.app ?? null };
  // Apps that say their answers are per user (a tutor's "what is my grade?") never share them across users.
  const perUser = ctx.services.config.gateway?.cache?.perUserApps;
  return key?.app && perUser?.includes(key.app) ? { ...owner, user: ctx.endUser } : owner;
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
export function lookupResponseCache(ctx: RequestContext): Promise<CachedResponse | null> | null {
  const st = stateOf(ctx.services);
  if (!st.exact && !st.semantic) return null;
  return lookup(ctx, st);
}

async function lookup(ctx: RequestContext, st: GovState): Promise<CachedResponse | null> {
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
        const [v] = await embed(st.semantic.model, [q.text], ctx);
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

/** Stores a successful upstream answer under the keys computed at lookup (nothing to wait for without a key). */
export function storeResponseCache(
  ctx: RequestContext,
  response: CompletedResponse,
): Promise<void> | undefined {
  const rs = findReqState(ctx);
  const st = findState(ctx.services);
  if (!rs || !st || (!rs.exactKey && !rs.semantic)) return undefined;
  if (response.status !== 200 || !response.body || response.usage.source !== 'reported') return undefined;
  return store(ctx, st, rs, response, response.body);
}

async function store(
  ctx: RequestContext,
  st: GovState,
  rs: RequestState,
  response: CompletedResponse,
  raw: Buffer,
): Promise<void> {
  const body = ctx.stream ? sseToCompletion(raw) : raw;
  if (!body) return;
  const usage: Usage = { ...response.usage };
  const entry: CacheEntry = { body, usage, costNanos: response.costNanos };
  const now = ctx.services.now();
  if (st.exact && rs.exactKey) await st.exact.cache.set(rs.exactKey, entry, st.exact.ttlMs, now);
  if (st.semantic && rs.semantic)
    st.semantic.cache.store(rs.semantic.partition, rs.semantic.vector, entry, st.semantic.ttlMs, now);
}
