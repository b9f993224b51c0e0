/**
 * PTU sizing and cost (Azure's documented calculator): input-equivalent TPM = uncached input + ratio × output
 * (cached input uses no PTU capacity), PTUs = peak TPM ÷ input TPM per PTU, rounded up to the increment and
 * at least the minimum. A month is 730 hours = 43,800 minutes.
 */
import type { Nanos } from '../core/index.js';
import type { PtuSpec } from '../catalog/index.js';

/** Hours in a billing month (Azure convention). */
export const HOURS_PER_MONTH = 730;
/** Minutes in a billing month. */
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

/** How PTUs are paid for. */
export type Reservation = 'hourly' | '1-month' | '1-year';

/** Input-equivalent tokens of a month's traffic (cached input excluded, output weighted). */
export function inputEquivalentTokens(uncachedInput: number, output: number, spec: PtuSpec): number {
  return uncachedInput + spec.outputRatio * output;
}

/** PTUs needed for a peak load of `peakTpm` input-equivalent tokens per minute. */
export function sizePtu(peakTpm: number, spec: PtuSpec): number {
  const raw = peakTpm / spec.inputTpmPerPtu;
  const stepped = Math.ceil(raw / spec.stepPtu - 1e-9) * spec.stepPtu;
  return Math.max(spec.minPtu, stepped);
}

/** Cost of `units` PTUs for one month under a reservation mode, exact. */
export function ptuMonthCost(units: number, spec: PtuSpec, reservation: Reservation): Nanos {
  const u = BigInt(units);
  if (reservation === '1-month') return u * spec.monthlyReservationNanos;
  if (reservation === '1-year') {
    // A yearly reservation is spread evenly over 12 months, rounded half-up to a nano.
    const total = u * spec.yearlyReservationNanos;
    return (total + 6n) / 12n;
  }
  return u * spec.hourlyNanos * BigInt(HOURS_PER_MONTH);
}
