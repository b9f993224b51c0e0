/** gateway/cache: exact and semantic response caches, scoped to the tenant, with SSE replay of hits. */
export type { CacheEntry, ResponseCache } from './response-cache.js';
export { MemoryResponseCache } from './memory.js';
export { RedisResponseCache } from './redis.js';
export { MemorySemanticCache, unitVector, type EmbedFn, type SemanticHit } from './semantic.js';
export {
  tenantScope,
  canonicalJson,
  normalisedRequest,
  exactCacheKey,
  semanticQuery,
  type TenantOwner,
  type SemanticQuery,
} from './normalize.js';
export { completionToSse, sseToCompletion } from './_replay.js';
