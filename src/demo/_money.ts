/**
 * Exact decimal amounts for the cost export. Export lines carry sub-nano precision (a 1K-token meter at
 * $0.000075 times 3,217.5 units), so they are held as bigints of 1e-10 USD, the scale of the store's
 * DECIMAL(38,10) money columns, and printed as decimal strings. Nothing here is a float.
 */

/** Amount in 1e-10 USD. */
export type Deci = bigint;

/** 1e-10 USD units per nano-USD. */
const PER_NANO = 10n;

/** Nanos to 1e-10 USD. */
export function fromNanos(n: bigint): Deci {
  return n * PER_NANO;
}

/** Cost of `tokens` at a price in nanos per million tokens, rounded half-up to 1e-10 USD. */
export function tokensCost(tokens: bigint, nanosPerMTok: bigint): Deci {
  const num = tokens * nanosPerMTok * PER_NANO;
  return (num + 500_000n) / 1_000_000n;
}

/** `amount * numerator / denominator`, rounded half-up (amounts here are non-negative). */
export function scale(amount: Deci, numerator: bigint, denominator: bigint): Deci {
  return (amount * numerator * 2n + denominator) / (denominator * 2n);
}

/** Prints a scaled integer (`places` decimals) as a plain decimal string, trailing zeros trimmed. */
export function decimal(value: bigint, places = 10): string {
  const neg = value < 0n;
  const abs = (neg ? -value : value).toString().padStart(places + 1, '0');
  const int = abs.slice(0, abs.length - places);
  const frac = abs.slice(abs.length - places).replace(/0+$/, '');
  return (neg ? '-' : '') + int + (frac ? `.${frac}` : '');
}
