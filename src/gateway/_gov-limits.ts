/** Limit stages: reserve the worst case on every applicable counter before forwarding; settle to actual after. */
import {
  contextWindow,
  countChatTokens,
  countTextTokens,
  imageTokens,
  resolveModel,
} from '../catalog/index.js';
import type { UsageEvent } from '../ledger/index.js';
import type { VirtualKeyRecord } from '../store/index.js';
import {
  admitRequest,
  DEFAULT_MEDIA,
  keyLimitSpec,
  promptTokenBound,
  type LimitCheck,
  type MediaBounds,
} from './limits/index.js';
import { findReqState, priceOn, reqState, requestedMaxOutput, stateOf, type GovState } from './_gov-state.js';
import type { RequestContext, RouteTarget } from './_context.js';

// ---- limits ----

// Fields `promptTokens: exact` counts with the tokenizer; the rest of the body is bounded by bytes.
const EXACT_FIELDS: ReadonlySet<string> = new Set(['messages', 'tools', 'input']);
const MEDIA_PART = /"(image_url|input_image|input_audio|audio|file|input_file)"/;

/**
 * Exact prompt tokens of the text fields (messages + tools, or input), or null when they hold media (the
 * tokenizer would assume a default image size) or the model has no tokenizer.
 */
function exactTextTokens(ctx: RequestContext, model: string): number | null {
  const b = ctx.body;
  try {
    const text = JSON.stringify(b['messages'] ?? b['input'] ?? '');
    if (MEDIA_PART.test(text)) return null;
    if (Array.isArray(b['messages']))
      return countChatTokens(model, b['messages'], Array.isArray(b['tools']) ? b['tools'] : undefined);
    const input = b['input'];
    if (typeof input === 'string') return countTextTokens(model, input);
    if (Array.isArray(input) && input.every((x) => typeof x === 'string'))
      return input.reduce((n: number, x: string) => n + countTextTokens(model, x), 0);
    if (input !== undefined) return countTextTokens(model, text);
    return 0;
  } catch {
    return null;
  }
}

const mediaCache = new Map<string, MediaBounds>();
/** The largest image a model bills (8 tiles, or the patch cap) and its context window, for the bound. */
function mediaOf(model: string): MediaBounds {
  let m = mediaCache.get(model);
  if (!m) {
    let family = model;
    let context: number | undefined;
    try {
      family = resolveModel(model).family;
      context = contextWindow(model);
    } catch {
      // not in the catalog: the defaults
    }
    m = {
      imageTokens: Math.max(imageTokens(family, 768, 2048), imageTokens(family, 2048, 2048)),
      contextTokens: context ?? DEFAULT_MEDIA.contextTokens,
    };
    if (mediaCache.size > 1000) mediaCache.clear();
    mediaCache.set(model, m);
  }
  return m;
}

/** Prompt tokens to reserve: the byte bound of every field, or exact text tokens + the bound of the rest. */
function promptReservation(ctx: RequestContext, st: GovState, targets: readonly RouteTarget[]): number {
  const models = targets.length > 0 ? targets.map((t) => t.model) : [ctx.requestModel];
  const media = models.map(mediaOf).reduce((a, b) => ({
    imageTokens: Math.max(a.imageTokens, b.imageTokens),
    contextTokens: Math.max(a.contextTokens, b.contextTokens),
  }));
  if (st.limitsCfg?.promptTokens === 'exact') {
    const exact = exactTextTokens(ctx, models[0]!);
    if (exact !== null) return exact + promptTokenBound(ctx.body, media, EXACT_FIELDS);
  }
  return promptTokenBound(ctx.body, media);
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

/**
 * Reserves the request's worst case (prompt + max output, at the dearest target) on every applicable limit.
 * Returns nothing when no limit applies to the request.
 */
export function reserveRequestLimits(ctx: RequestContext): Promise<void> | undefined {
  const st = stateOf(ctx.services);
  if (!hasLimits(st, ctx) || !ctx.key) return undefined;
  return reserve(ctx, st, ctx.key);
}

async function reserve(ctx: RequestContext, st: GovState, key: VirtualKeyRecord): Promise<void> {
  const targets = ctx.targets.slice(0, Math.max(1, ctx.maxAttempts));
  const prompt = promptReservation(ctx, st, targets);
  // `n` and the caps were checked to be integers at admission; the largest cap is what the upstream may use.
  const n = typeof ctx.body['n'] === 'number' ? ctx.body['n'] : 1;
  const maxOut =
    ctx.operation === 'embeddings'
      ? 0
      : (requestedMaxOutput(ctx.body) ?? st.limitsCfg?.reserveOutputTokens ?? 4096) * n;
  let worstCost = 0n;
  for (const t of targets) {
    const c = priceOn(ctx, t, { inputTokens: prompt, outputTokens: maxOut });
    if (c !== null && c > worstCost) worstCost = c;
  }
  // The semantic cache's embedding call is billed to this request's budget too (settled with it), so its worst
  // case (the whole prompt embedded) is reserved as well: a budget it would push over does not admit.
  const embedding =
    st.semantic && ctx.operation === 'chat' ? ctx.services.embedTarget?.(st.semantic.model) : undefined;
  if (embedding) worstCost += priceOn(ctx, embedding, { inputTokens: prompt, outputTokens: 0 }) ?? 0n;
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
export function settleRequestLimits(ctx: RequestContext, event: UsageEvent): Promise<void> | undefined {
  const rs = findReqState(ctx);
  const res = rs.reservation;
  if (!res) return undefined;
  rs.reservation = undefined;
  const hit = event.cacheOutcome === 'hit-exact' || event.cacheOutcome === 'hit-semantic';
  const tokens = hit ? 0n : BigInt(event.inputTokens + event.outputTokens);
  // Budgets also carry what the gateway spent for this request (the semantic cache's embedding call).
  const costNanos = event.costNanos + (ctx.gov.internalCostNanos ?? 0n);
  return stateOf(ctx.services).limits.settle(res, { tokens, costNanos }, ctx.services.now());
}
