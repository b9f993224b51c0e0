/**
 * Semantic cache: answers a chat request with a stored answer whose last user message is close in meaning
 * (cosine similarity ≥ threshold of unit-normalised embeddings). Entries live in partitions keyed by tenant,
 * model, parameters, system prompt and earlier turns (see `semanticQuery`), and a lookup scans only its own
 * partition: a hit can never cross tenants, models, system prompts or conversations.
 */
import type { CacheEntry } from './response-cache.js';

/** Embeds texts (through a configured embedding deployment); one vector per text. */
export type EmbedFn = (texts: readonly string[]) => Promise<number[][]>;

interface Item {
  vector: Float32Array;
  entry: CacheEntry;
  expiresAt: number;
}

/** A semantic hit: the entry and how similar its question was. */
export interface SemanticHit {
  readonly entry: CacheEntry;
  readonly similarity: number;
}

/** Unit-normalises a vector (so cosine similarity is a dot product); null for a zero or non-finite vector. */
export function unitVector(v: readonly number[]): Float32Array | null {
  let n = 0;
  for (const x of v) n += x * x;
  if (!Number.isFinite(n) || n === 0) return null;
  const inv = 1 / Math.sqrt(n);
  return Float32Array.from(v, (x) => x * inv);
}

// A small monomorphic function V8 optimises well; four accumulators let the loop pipeline.
function dotProduct(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[j]! * b[j]!;
    s1 += a[j + 1]! * b[j + 1]!;
    s2 += a[j + 2]! * b[j + 2]!;
    s3 += a[j + 3]! * b[j + 3]!;
  }
  for (; j < n; j++) s0 += a[j]! * b[j]!;
  return s0 + s1 + s2 + s3;
}

/** The in-process semantic cache, bounded by total entries (oldest dropped first). */
export class MemorySemanticCache {
  private readonly partitions = new Map<string, Item[]>();
  private count = 0;

  constructor(private readonly opts: { threshold: number; maxEntries: number }) {}

  /** The most similar live entry in `partition` at or above the threshold, or null. */
  lookup(partition: string, vector: Float32Array, nowMs: number): SemanticHit | null {
    const items = this.partitions.get(partition);
    if (!items) return null;
    let best: SemanticHit | null = null;
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i]!;
      if (it.expiresAt <= nowMs) {
        items.splice(i, 1);
        this.count--;
        continue;
      }
      if (it.vector.length !== vector.length) continue;
      const dot = dotProduct(it.vector, vector);
      if (dot >= this.opts.threshold && (!best || dot > best.similarity))
        best = { entry: it.entry, similarity: dot };
    }
    if (items.length === 0) this.partitions.delete(partition);
    return best;
  }

  /** Stores an answer for a question vector. */
  store(partition: string, vector: Float32Array, entry: CacheEntry, ttlMs: number, nowMs: number): void {
    let items = this.partitions.get(partition);
    if (!items) this.partitions.set(partition, (items = []));
    items.push({ vector, entry, expiresAt: nowMs + ttlMs });
    this.count++;
    while (this.count > this.opts.maxEntries) this.evictOldest();
  }

  /** Entries held. */
  size(): number {
    return this.count;
  }

  private evictOldest(): void {
    // Partitions are kept in insertion order; the first one's first item is the oldest partition's oldest entry.
    for (const [k, items] of this.partitions) {
      items.shift();
      this.count--;
      if (items.length === 0) this.partitions.delete(k);
      return;
    }
  }
}
