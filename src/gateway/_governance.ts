/**
 * The governance stages behind the pipeline's hooks: policy → history trimming → limits (reserve) → cache
 * lookup, and after the answer: settle + cache store. Each group lives in its own file; this is their door.
 */
export { initGovernanceState, closeGovernanceState } from './_gov-state.js';
export { enforcePolicy, trimRouteHistory } from './_gov-request.js';
export { reserveRequestLimits, settleRequestLimits } from './_gov-limits.js';
export { lookupResponseCache, storeResponseCache } from './_gov-cache.js';
