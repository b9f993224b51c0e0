/**
 * LimitStore: the state behind TPM limits, token quotas and USD budgets. One interface, sibling
 * implementations (`memory.ts` in-process; `redis.ts` for several replicas). Every operation is atomic over
 * all the checks it is given, so concurrent requests cannot both take the last of a budget.
 *
 * Units: `rate` and `quota` counters hold tokens; `budget` counters hold nano-USD. All amounts are bigint.
 */

/** What a counter limits. */
export type LimitKind = 'rate' | 'quota' | 'budget';

/** One counter a request must fit under. */
export interface LimitCheck {
  /** Counter identity, including its window bucket for fixed windows (`budget:key:K:day:2026-11-28`). */
  readonly id: string;
  readonly kind: LimitKind;
  /** Config path of the rule, named in errors (`key.budget`, `gateway.limits.teams.ml.tpm`). */
  readonly rule: string;
  /** Tokens per minute (rate), tokens per window (quota) or nano-USD per window (budget). */
  readonly limit: bigint;
  /** Worst case this request may use: tokens (rate, quota) or nano-USD (budget). */
  readonly amount: bigint;
  /** Soft checks never refuse: they report a breach once per window. */
  readonly hard: boolean;
  /** Epoch ms when a fixed window ends (state may be dropped after it); for rate: now + 60 s. */
  readonly resetAt: number;
}

/** A granted reservation: settle it (or release it) exactly once. */
export interface Reservation {
  readonly id: string;
  readonly checks: readonly LimitCheck[];
}

/** Reservation granted. `remaining` is per check id, after reserving (tokens or nanos; never negative). */
export interface ReserveGranted {
  readonly ok: true;
  readonly reservation: Reservation;
  readonly remaining: ReadonlyMap<string, bigint>;
  /** Soft checks this request pushed over their limit for the first time in their window. */
  readonly softBreaches: readonly LimitCheck[];
}

/** Reservation refused by the first hard check that does not fit. */
export interface ReserveRefused {
  readonly ok: false;
  readonly check: LimitCheck;
  /** How long until the request could fit (rate: refill time; quota/budget: end of window), ms. */
  readonly retryAfterMs: number;
  /** What is left on that counter now (tokens or nanos). */
  readonly remaining: bigint;
}

/** The outcome of `reserve`. */
export type ReserveResult = ReserveGranted | ReserveRefused;

/** What a request actually used, for settlement. */
export interface ActualUse {
  /** Total tokens (input + output) the upstream billed. */
  readonly tokens: bigint;
  readonly costNanos: bigint;
}

/** A counter's state, for tests, metrics and `tally` reports. */
export interface CounterState {
  /** Settled usage (fixed windows) or current bucket level (rate), tokens or nanos. */
  readonly used: bigint;
  /** Reserved by requests in flight. */
  readonly reserved: bigint;
}

/** State behind limits and budgets. */
export interface LimitStore {
  /**
   * Atomically checks every hard check and, if all pass, reserves `amount` on each. A rate check passes when
   * its bucket holds `min(amount, limit)` tokens; a hard quota/budget check passes only when
   * `used + reserved + amount <= limit`, so spend never exceeds it while worst cases are true bounds.
   */
  reserve(reservationId: string, checks: readonly LimitCheck[], nowMs: number): Promise<ReserveResult>;
  /** Replaces a reservation with the actual use (pass zero use to release it). Idempotent per reservation. */
  settle(reservation: Reservation, actual: ActualUse, nowMs: number): Promise<void>;
  /** Starts a fixed-window counter at `used` unless it already exists (restart recovery; replica-safe). */
  seed(id: string, used: bigint, resetAt: number): Promise<void>;
  /** Reads a counter (rate counters report the bucket level refilled to `nowMs`); null when unknown. */
  peek(id: string, kind: LimitKind, limit: bigint, nowMs: number): Promise<CounterState | null>;
  /** Frees resources (timers, connections). */
  close(): Promise<void>;
}
