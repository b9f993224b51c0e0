/**
 * The gateway's request pipeline, top to bottom in one readable place:
 *
 *   auth → route (resolve targets) → policy → trim history → limits reserve → cache lookup → upstream
 *        → meter → settle + cache store
 *
 * Targets are resolved right after auth (a pure config lookup, unknown models get 404) because policy and
 * the worst-case cost reservation both need to know the deployment type and price of what will be called.
 *
 * The core stages (auth, route, upstream, meter) are the gateway's own and are passed in as `CoreStages`.
 * The governance stages (policy, trimming, limits, caches) are the named hook functions below. They start as
 * no-ops; the governance modules (`limits/`, `cache/`, `_trim.ts`) fill them in. A hook refuses a request by
 * throwing a TallyError (policy_denied, rate_limited, quota_exceeded, budget_exceeded); headers it wants on
 * the response (retry-after, x-ratelimit-remaining-tokens) go into `ctx.responseHeaders`.
 */
import type { UsageEvent } from '../ledger/index.js';
import * as gov from './_governance.js';
import type {
  CachedResponse,
  CompletedResponse,
  CoreStages,
  GatewayServices,
  RequestContext,
} from './_context.js';

export type {
  Operation,
  RouteTarget,
  Usage,
  CachedResponse,
  Priced,
  CompletedResponse,
  GovernanceState,
  GatewayServices,
  GovernanceScratch,
  RequestContext,
  CoreStages,
} from './_context.js';

// ---- governance hooks (implemented in _governance.ts over policy/, limits/, cache/ and _trim.ts) ----
// Hooks that have nothing to wait for return nothing (not a promise): on the hot path every avoided promise
// is an allocation and a microtask less per request.

/** Creates the governance modules' state at gateway start. */
export async function initGovernance(services: GatewayServices): Promise<void> {
  await gov.initGovernanceState(services);
}

/** Releases governance state at shutdown (after the drain). */
export async function closeGovernance(services: GatewayServices): Promise<void> {
  await gov.closeGovernanceState(services);
}

/** Policy: allowed models per environment, max output tokens, required tags. Throws policy_denied. */
export const checkPolicy: (ctx: RequestContext) => void = gov.enforcePolicy;

/** History trimming per route: keeps the system prompt and the last N turns; records tokens saved. */
export const trimHistory: (ctx: RequestContext) => void = gov.trimRouteHistory;

/** Limits and budgets: reserves the worst-case tokens/cost. Throws rate_limited / quota_exceeded / budget_exceeded. */
export const reserveLimits: (ctx: RequestContext) => Promise<void> | undefined = gov.reserveRequestLimits;

/** Exact then semantic cache lookup, scoped to the tenant. Returns a hit, null, or a promise of either. */
export const lookupCache: (ctx: RequestContext) => CachedResponse | null | Promise<CachedResponse | null> =
  gov.lookupResponseCache;

/** Settles the reservation to the actual cost of the metered event (also on failure: releases it). */
export const settleLimits: (ctx: RequestContext, event: UsageEvent) => Promise<void> | undefined =
  gov.settleRequestLimits;

/** Stores a completed upstream answer in the caches (nothing to do when no cache is on). */
export const storeCache: (ctx: RequestContext, response: CompletedResponse) => Promise<void> | undefined =
  gov.storeResponseCache;

// ---- the composition ----

/**
 * Runs one request through every stage. Errors propagate to the caller (the server writes the OpenAI-shaped
 * error); the request is metered and its reservation settled exactly once whatever happens.
 */
export async function runPipeline(ctx: RequestContext, core: CoreStages): Promise<void> {
  let outcome: CompletedResponse | CachedResponse | null = null;
  let failure: unknown = null;
  try {
    const authenticating = core.authenticate(ctx);
    if (authenticating) await authenticating;
    core.route(ctx);
    checkPolicy(ctx);
    trimHistory(ctx);
    const reserving = reserveLimits(ctx);
    if (reserving) await reserving;
    const looked = lookupCache(ctx);
    const hit = looked instanceof Promise ? await looked : looked;
    if (hit) {
      ctx.cacheOutcome = hit.outcome;
      core.serveCached(ctx, hit);
      outcome = hit;
      return;
    }
    outcome = await core.forward(ctx);
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    const event = core.meter(ctx, outcome, failure);
    // Settlement and cache writes must never turn a served request into an error, nor mask the original one.
    try {
      const settling = settleLimits(ctx, event);
      if (settling) await settling;
    } catch (e) {
      ctx.services.onError(e);
    }
    if (outcome && !('outcome' in outcome) && outcome.status < 300)
      try {
        const storing = storeCache(ctx, outcome);
        if (storing) await storing;
      } catch (e) {
        ctx.services.onError(e);
      }
  }
}
