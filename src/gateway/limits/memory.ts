/**
 * In-process LimitStore. Every call runs synchronously to completion (no await inside), so check-and-reserve
 * is atomic for one gateway process. Rate limits are token buckets (capacity = TPM, refilled continuously);
 * quotas and budgets are fixed-window counters of settled use plus in-flight reservations, admitting a hard
 * check only when `used + reserved + amount <= limit`.
 */
import type {
  ActualUse,
  CounterState,
  LimitCheck,
  LimitKind,
  LimitStore,
  Reservation,
  ReserveResult,
} from './limit-store.js';

interface Bucket {
  kind: 'rate';
  /** Tokens available; may go negative when one request's worst case exceeds the whole capacity. */
  level: number;
  ts: number;
  resetAt: number;
}
interface Window {
  kind: 'window';
  used: bigint;
  reserved: bigint;
  resetAt: number;
  /** A soft breach was already reported in this window. */
  alerted: boolean;
}

const MINUTE_MS = 60_000;
const SWEEP_EVERY = 4096;

/** The in-process LimitStore (one gateway replica). */
export class MemoryLimitStore implements LimitStore {
  private readonly counters = new Map<string, Bucket | Window>();
  /** Reservations not yet settled: settle is idempotent and a stray second settle is a no-op. */
  private readonly open = new Set<string>();
  private calls = 0;

  async reserve(reservationId: string, checks: readonly LimitCheck[], nowMs: number): Promise<ReserveResult> {
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(nowMs);
    // Pass 1: every hard check must fit before anything is taken (all or nothing).
    for (const c of checks) {
      if (!c.hard) continue;
      if (c.kind === 'rate') {
        const b = this.bucket(c, nowMs);
        const cap = Number(c.limit);
        // A request larger than the whole bucket is admitted only when the bucket is full (it then owes).
        const need = Math.min(Number(c.amount), cap);
        if (b.level < need) {
          const retryAfterMs = Math.ceil(((need - b.level) * MINUTE_MS) / cap);
          return { ok: false, check: c, retryAfterMs, remaining: BigInt(Math.max(0, Math.floor(b.level))) };
        }
      } else {
        const w = this.window(c);
        // Admit only when the worst case fits in what is left: settled use + reservations in flight + this
        // request's worst case stays within the limit, so a hard budget or quota is never overrun.
        if (w.used + w.reserved + c.amount > c.limit) {
          const left = c.limit - w.used - w.reserved;
          return {
            ok: false,
            check: c,
            retryAfterMs: Math.max(0, c.resetAt - nowMs),
            remaining: left > 0n ? left : 0n,
          };
        }
      }
    }
    // Pass 2: take the reservation on every check.
    const remaining = new Map<string, bigint>();
    const softBreaches: LimitCheck[] = [];
    for (const c of checks) {
      if (c.kind === 'rate') {
        const b = this.bucket(c, nowMs);
        b.level -= Number(c.amount);
        remaining.set(c.id, BigInt(Math.max(0, Math.floor(b.level))));
      } else {
        const w = this.window(c);
        w.reserved += c.amount;
        const left = c.limit - w.used - w.reserved;
        remaining.set(c.id, left > 0n ? left : 0n);
        if (!c.hard && left < 0n && !w.alerted) {
          w.alerted = true;
          softBreaches.push(c);
        }
      }
    }
    this.open.add(reservationId);
    return { ok: true, reservation: { id: reservationId, checks }, remaining, softBreaches };
  }

  async settle(reservation: Reservation, actual: ActualUse, nowMs: number): Promise<void> {
    if (!this.open.delete(reservation.id)) return;
    for (const c of reservation.checks) {
      const used = c.kind === 'budget' ? actual.costNanos : actual.tokens;
      const counter = this.counters.get(c.id);
      if (!counter) continue; // its window ended and was swept: nothing left to correct
      if (counter.kind === 'rate') {
        this.refill(counter, Number(c.limit), nowMs);
        // Give back what was reserved but not used (or take more when the estimate was short).
        counter.level = Math.min(Number(c.limit), counter.level + Number(c.amount - used));
      } else {
        counter.reserved -= c.amount;
        counter.used += used;
      }
    }
  }

  async seed(id: string, used: bigint, resetAt: number): Promise<void> {
    if (this.counters.has(id)) return;
    this.counters.set(id, { kind: 'window', used, reserved: 0n, resetAt, alerted: false });
  }

  async peek(id: string, kind: LimitKind, limit: bigint, nowMs: number): Promise<CounterState | null> {
    const c = this.counters.get(id);
    if (!c) return null;
    if (c.kind === 'rate') {
      if (kind === 'rate') this.refill(c, Number(limit), nowMs);
      return { used: BigInt(Math.floor(c.level)), reserved: 0n };
    }
    return { used: c.used, reserved: c.reserved };
  }

  async close(): Promise<void> {
    this.counters.clear();
    this.open.clear();
  }

  private bucket(c: LimitCheck, nowMs: number): Bucket {
    let b = this.counters.get(c.id);
    if (!b || b.kind !== 'rate') {
      b = { kind: 'rate', level: Number(c.limit), ts: nowMs, resetAt: nowMs + MINUTE_MS };
      this.counters.set(c.id, b);
    }
    this.refill(b, Number(c.limit), nowMs);
    return b;
  }

  private refill(b: Bucket, cap: number, nowMs: number): void {
    const elapsed = nowMs - b.ts;
    if (elapsed > 0) {
      b.level = Math.min(cap, b.level + (elapsed * cap) / MINUTE_MS);
      b.ts = nowMs;
    }
    b.resetAt = nowMs + MINUTE_MS;
  }

  private window(c: LimitCheck): Window {
    let w = this.counters.get(c.id);
    if (!w || w.kind !== 'window') {
      w = { kind: 'window', used: 0n, reserved: 0n, resetAt: c.resetAt, alerted: false };
      this.counters.set(c.id, w);
    }
    return w;
  }

  /** Drops counters whose window ended and that no open reservation still holds. */
  private sweep(nowMs: number): void {
    for (const [id, c] of this.counters) {
      const idle = c.kind === 'rate' ? c.resetAt < nowMs : c.resetAt < nowMs && c.reserved === 0n;
      if (idle) this.counters.delete(id);
    }
  }
}
