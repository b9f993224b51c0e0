/**
 * Report answers, reused for a short while. Allocation and anomaly scans take from tens of milliseconds to
 * seconds on a 90-day store, while a dashboard asks the same questions every few seconds; an answer is reused
 * for `ttlMs` (per report: live ones such as usage and freshness are never cached) and every write through
 * this server clears them all, so a change made here is seen at once and ledger growth within `ttlMs`.
 */
export class ReportCache {
  private readonly entries = new Map<string, { at: number; text: string }>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** At most this many answers are kept (oldest dropped first). */
    private readonly max = 500,
  ) {}

  /** The cached text for a key, or the result of `compute` (cached when it succeeds). */
  async get(key: string, live: boolean, compute: () => Promise<string>): Promise<string> {
    if (live || this.ttlMs <= 0) return compute();
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.text;
    const generation = this.generation;
    const text = await compute();
    // A write that landed while this was computed may have changed the answer: do not keep it.
    if (generation === this.generation) {
      this.entries.delete(key);
      this.entries.set(key, { at: this.now(), text });
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    return text;
  }

  private generation = 0;

  /** Forgets every answer (after any write). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
