/**
 * In-process exact cache: a Map in least-recently-used order, bounded by entry count and by bytes
 * (a few huge answers cannot push the process out of memory), with a TTL per entry.
 */
import type { CacheEntry, ResponseCache } from './response-cache.js';

interface Slot {
  entry: CacheEntry;
  expiresAt: number;
  bytes: number;
}

// Rough per-entry overhead (key string, Map slot, usage object), bytes.
const OVERHEAD_BYTES = 256;

/** The in-process ResponseCache. */
export class MemoryResponseCache implements ResponseCache {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(private readonly limits: { maxEntries: number; maxBytes: number }) {}

  async get(key: string, nowMs: number): Promise<CacheEntry | undefined> {
    const s = this.slots.get(key);
    if (!s) return undefined;
    this.slots.delete(key);
    if (s.expiresAt <= nowMs) {
      this.bytes -= s.bytes;
      return undefined;
    }
    this.slots.set(key, s); // most recently used goes last
    return s.entry;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number, nowMs: number): Promise<void> {
    const bytes = entry.body.length + key.length + OVERHEAD_BYTES;
    if (bytes > this.limits.maxBytes) return;
    const old = this.slots.get(key);
    if (old) {
      this.slots.delete(key);
      this.bytes -= old.bytes;
    }
    this.slots.set(key, { entry, expiresAt: nowMs + ttlMs, bytes });
    this.bytes += bytes;
    for (const [k, s] of this.slots) {
      if (this.slots.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.slots.delete(k);
      this.bytes -= s.bytes;
    }
  }

  size(): number {
    return this.slots.size;
  }

  /** Bytes held (approximate), for tests and metrics. */
  heldBytes(): number {
    return this.bytes;
  }
}
