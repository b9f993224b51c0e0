/**
 * Closed months' allocations and report inputs, kept between the reports of one serving process (ADR 0033).
 * Chargeback, unit economics, forecasts and budgets all allocate the same calendar months and read the same
 * monthly inputs; a question with new arguments (another grouping, scope, horizon) recomputed them every time.
 * A month whose end is over an hour past (late ledger flushes land within that) changes only by a write (an
 * ingest, a price import), and the process that owns the store clears the memo on every write it makes, as it
 * clears its report cache. The month in progress is never kept: its ledger grows every second.
 */
import { monthWindow } from '../../core/index.js';

/** How long after a month's end its ledger may still receive events (late flushes, long streams). */
const LATE_MS = 3_600_000;

export class PeriodMemo {
  private readonly entries = new Map<string, Promise<unknown>>();

  /** `max`: entries kept (oldest dropped first); each is one month's input or allocation. */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = 96,
  ) {}

  /** Whether a month ("YYYY-MM") is closed: nothing but a write can change what it reads. */
  closed(period: string): boolean {
    return monthWindow(period).to.getTime() + LATE_MS <= this.now();
  }

  /**
   * The value of `load` for (period, key): shared while the month is closed, computed afresh otherwise. `key`
   * must name everything else the value depends on (basis, metric, settings, export end). A failed load is not
   * kept. Values are shared between reports: callers must not mutate them.
   */
  get<T>(period: string, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.closed(period)) return load();
    const k = `${period}\u0000${key}`;
    const hit = this.entries.get(k);
    if (hit) {
      this.entries.delete(k);
      this.entries.set(k, hit);
      return hit as Promise<T>;
    }
    const p = load();
    this.entries.set(k, p);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    p.catch(() => {
      if (this.entries.get(k) === p) this.entries.delete(k);
    });
    return p;
  }

  /** How many values are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything (after any write); a load running now is not kept either. */
  clear(): void {
    this.entries.clear();
  }
}

/** A stable text for settings-like values in a memo key (bigints as text). */
export function memoKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
