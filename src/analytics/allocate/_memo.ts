/**
 * Closed months' allocations and report inputs, kept between the reports of one serving process (ADR 0033).
 * Chargeback, unit economics, forecasts and budgets all allocate the same calendar months and read the same
 * monthly inputs; a question with new arguments (another grouping, scope, horizon) recomputed them every time.
 * A month whose end is over an hour past (late ledger flushes land within that) changes only by a write (an
 * ingest, a price import). The process that owns the store runs each write through `write()`: while it runs no
 * month is shared, and after it only the months the write changed are forgotten (ADR 0040), found by comparing
 * the store's month stamps before and after; a write it cannot stamp forgets every month. The month in
 * progress is never kept: its ledger grows every second.
 */
import { monthWindow } from '../../core/index.js';

/** How long after a month's end its ledger may still receive events (late flushes, long streams). */
const LATE_MS = 3_600_000;

/** Per month ("YYYY-MM"), a text that changes whenever the month's stored data does. */
export type MonthStamps = () => Promise<ReadonlyMap<string, string>>;

export class PeriodMemo {
  private readonly entries = new Map<string, Promise<unknown>>();
  /** Writes running now: while any runs, months are computed afresh and not kept. */
  private writing = 0;

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
   * kept. Values are shared between reports: callers must not mutate them. `readsEarlier`: the value also
   * reads months before `period` (recommendations' idle costs since the last request), so a write to any of
   * them forgets it too.
   */
  get<T>(period: string, key: string, load: () => Promise<T>, readsEarlier = false): Promise<T> {
    if (!this.closed(period) || this.writing > 0) return load();
    const k = `${period}\u0000${readsEarlier ? '<' : '='}${key}`;
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

  /** Forgets everything; a load running now is not kept either. */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Forgets the values of these months, and those of later months that read earlier ones (a load of one
   * running now is not kept either).
   */
  forget(periods: Iterable<string>): void {
    const gone = new Set(periods);
    if (gone.size === 0) return;
    const earliest = [...gone].sort()[0]!;
    for (const k of [...this.entries.keys()]) {
      const at = k.indexOf('\u0000');
      const period = k.slice(0, at);
      const readsEarlier = k[at + 1] === '<';
      if (gone.has(period) || (readsEarlier && period >= earliest)) this.entries.delete(k);
    }
  }

  /**
   * Runs a write. While it runs no month is shared or kept (a report computed meanwhile reads the store as it
   * is). With `stamps`, taken before and after the write, only the months whose stamp differs are forgotten;
   * without (or when a stamp cannot be read) every month is. Concurrent writes each forget what they changed.
   */
  async write<T>(run: () => Promise<T>, stamps?: MonthStamps): Promise<T> {
    this.writing += 1;
    try {
      const before = stamps ? await stamps().catch(() => null) : null;
      try {
        return await run();
      } finally {
        const after = before && stamps ? await stamps().catch(() => null) : null;
        if (before && after) this.forget(changedMonths(before, after));
        else this.clear();
      }
    } finally {
      this.writing -= 1;
    }
  }
}

/** Months whose stamp differs between two readings (added, removed or changed). */
export function changedMonths(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const months = new Set([...before.keys(), ...after.keys()]);
  return [...months].filter((m) => before.get(m) !== after.get(m)).sort();
}

/** A stable text for settings-like values in a memo key (bigints as text). */
export function memoKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
