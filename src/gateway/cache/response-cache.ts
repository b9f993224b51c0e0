/** ResponseCache: the exact cache's storage interface (memory.ts in-process; redis.ts shared by replicas). */
import type { Usage } from '../_context.js';

/** One cached answer: the JSON body the upstream returned and what it cost. */
export interface CacheEntry {
  /** The upstream's JSON response (chat.completion, embeddings list...). */
  readonly body: Buffer;
  /** Usage of the original call. */
  readonly usage: Usage;
  /** What the original call cost, nano-USD: each hit saves this much. */
  readonly costNanos: bigint;
}

/** Key/value storage of cache entries with a TTL. */
export interface ResponseCache {
  /** The live entry for `key`, or undefined. */
  get(key: string, nowMs: number): Promise<CacheEntry | undefined>;
  /** Stores an entry until `nowMs + ttlMs`. */
  set(key: string, entry: CacheEntry, ttlMs: number, nowMs: number): Promise<void>;
  /** Entries held (for metrics and tests). */
  size(): number;
}
