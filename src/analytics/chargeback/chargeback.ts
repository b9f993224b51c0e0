/** Showback and chargeback: allocation pieces summed per consumer, with share of total and change from last period. */
import { sumNanos, type Nanos } from '../../core/index.js';
import { dimensionValue, type AllocationResult, type ConsumerDimension } from '../allocate/index.js';

/** Label for consumers whose dimension is not set on their gateway traffic. */
export const UNASSIGNED = '(unassigned)';

/** One consumer's line. Money in nanos. */
export interface ChargebackLine {
  readonly consumer: string;
  readonly directNanos: Nanos;
  readonly sharedNanos: Nanos;
  readonly totalNanos: Nanos;
  /** Fraction of the period's total (0..1). */
  readonly shareOfTotal: number;
  /** Total in the previous period, or null when there was none. */
  readonly previousTotalNanos: Nanos | null;
}

/** A chargeback report. */
export interface Chargeback {
  readonly by: ConsumerDimension;
  readonly totalNanos: Nanos;
  readonly exportNanos: Nanos;
  readonly ledgerOnlyNanos: Nanos;
  readonly unallocatedNanos: Nanos;
  readonly previousTotalNanos: Nanos | null;
  /** Sorted by total, largest first. */
  readonly lines: readonly ChargebackLine[];
}

/** Sums direct and shared pieces per consumer value of `by`. */
export function totalsByConsumer(
  r: AllocationResult,
  by: ConsumerDimension,
): Map<string, { direct: Nanos; shared: Nanos }> {
  const out = new Map<string, { direct: Nanos; shared: Nanos }>();
  for (const p of r.pieces) {
    if (p.kind === 'unallocated' || !p.consumer) continue;
    const k = dimensionValue(p.consumer, by) ?? UNASSIGNED;
    const t = out.get(k) ?? { direct: 0n, shared: 0n };
    if (p.kind === 'direct') t.direct += p.nanos;
    else t.shared += p.nanos;
    out.set(k, t);
  }
  return out;
}

/** Builds the chargeback of one period, comparing with the previous one when given. */
export function buildChargeback(
  current: AllocationResult,
  previous: AllocationResult | null,
  by: ConsumerDimension,
): Chargeback {
  const now = totalsByConsumer(current, by);
  const before = previous ? totalsByConsumer(previous, by) : null;
  const total = current.totalNanos;
  const lines: ChargebackLine[] = [...now.entries()].map(([consumer, t]) => {
    const lineTotal = t.direct + t.shared;
    const prev = before?.get(consumer);
    return {
      consumer,
      directNanos: t.direct,
      sharedNanos: t.shared,
      totalNanos: lineTotal,
      shareOfTotal: total === 0n ? 0 : Number((lineTotal * 1_000_000n) / total) / 1_000_000,
      previousTotalNanos: prev ? prev.direct + prev.shared : before ? 0n : null,
    };
  });
  lines.sort((a, b) =>
    a.totalNanos === b.totalNanos
      ? a.consumer.localeCompare(b.consumer)
      : a.totalNanos > b.totalNanos
        ? -1
        : 1,
  );
  return {
    by,
    totalNanos: total,
    exportNanos: current.exportNanos,
    ledgerOnlyNanos: current.ledgerOnlyNanos,
    unallocatedNanos: current.unallocatedNanos,
    previousTotalNanos: previous ? previous.totalNanos : null,
    lines,
  };
}

/** Checks the invariant: lines plus unallocated equal the total, exactly. */
export function chargebackBalances(c: Chargeback): boolean {
  return sumNanos(c.lines.map((l) => l.totalNanos)) + c.unallocatedNanos === c.totalNanos;
}
