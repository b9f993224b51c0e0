/** Types shared by the recommendation rules, and the exact monthly scaling they all use. */
import { resolveModel } from '../../catalog/index.js';
import { formatUsd, nanosToDecimalString, type Nanos } from '../../core/index.js';

/** What a recommendation is about; the JSON contract lets the set grow. */
export type RecommendationKind =
  | 'ptu-rightsize'
  | 'reservation'
  | 'idle-deployment'
  | 'batch'
  | 'prompt-caching'
  | 'model-rightsize'
  | 'deployment-type';

/** How sure the rule is that the saving is real. */
export type Confidence = 'high' | 'medium' | 'low';

/**
 * What a saving rests on: the SQL that produced the figures (runnable as-is with `tally sql`), the prices and
 * other inputs, the figures, and the formula that turns them into the saving, exact to the nano.
 */
export interface Evidence {
  readonly sql: readonly string[];
  readonly inputs: Record<string, unknown>;
  readonly figures: Record<string, unknown>;
  readonly formula: string;
}

/** One recommendation. Money is exact nanos here; the JSON form carries decimal strings. */
export interface Recommendation {
  readonly id: string;
  readonly kind: RecommendationKind;
  readonly title: string;
  readonly scope: Record<string, string>;
  /** Saving per 730-hour month at the organisation's effective rates. */
  readonly monthlySavingsNanos: Nanos;
  /** The same saving at list prices. */
  readonly monthlyListSavingsNanos: Nanos;
  readonly confidence: Confidence;
  readonly risk: string;
  readonly action: string;
  readonly evidence: Evidence;
  readonly caveat?: string;
  /** Another recommendation this one competes with (only one of them can be taken): left out of the total. */
  readonly alternativeTo?: string;
}

/** Hours in a billing month (Azure's convention, as in estimate/ptu-sizing). */
export const MONTH_HOURS = 730n;

/** Scales an amount observed over `hours` to a 730-hour month, rounded half-up to a nano. */
export function perMonth(n: Nanos, hours: number): Nanos {
  const h = BigInt(hours);
  if (h <= 0n) return 0n;
  const num = n * MONTH_HOURS;
  const q = num / h;
  return (num % h) * 2n >= h ? q + 1n : q;
}

/** Exact decimal string of an amount (no rounding), for evidence figures. */
export const exactUsd = (n: Nanos): string => nanosToDecimalString(n);

/** Cent-rounded decimal string of an amount, for savings. */
export const centsUsd = (n: Nanos): string => formatUsd(n, 2);

/** A SQL string literal, quotes doubled, so evidence SQL runs as printed. */
export const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A SQL timestamp literal for a window bound. */
export const sqlTime = (d: Date): string => `TIMESTAMPTZ '${d.toISOString()}'`;

/** The negotiated rate actually applied to pay-as-you-go meters, as exact effective and list sums. */
export interface PaygRate {
  readonly effective: Nanos;
  readonly list: Nanos;
}

/** An amount at the pay-as-you-go effective rate: n × effective ÷ list, half-up (list when no exports). */
export function atRate(n: Nanos, rate: PaygRate): Nanos {
  if (rate.list <= 0n) return n;
  const num = n * rate.effective;
  const q = num / rate.list;
  return (num % rate.list) * 2n >= rate.list ? q + 1n : q;
}

/** A model's catalog family, or null when the catalog does not know it. */
export function familyOf(model: string): string | null {
  try {
    return resolveModel(model).family;
  } catch {
    return null;
  }
}

/** A share rounded to 4 places for evidence. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** A share as a percentage with one decimal, for titles. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
