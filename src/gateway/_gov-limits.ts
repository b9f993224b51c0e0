/** Limit stages: reserve the worst case on every applicable counter before forwarding; settle to actual after. */
import { countChatTokens, countTextTokens } from '../catalog/index.js';
import type { UsageEvent } from '../ledger/index.js';
import type { VirtualKeyRecord } from '../store/index.js';
import { admitRequest, keyLimitSpec, promptTokenBound, type LimitCheck } from './limits/index.js';
import { findReqState, priceOn, reqState, requestedMaxOutput, stateOf, type GovState } from './_gov-state.js';
import type { RequestContext } from './pipeline.js';

// ---- limits ----

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
