/**
 * Exact money. Amounts are integer nano-US-dollars (1 USD = 1e9 nanos) held in a bigint, so sums never drift.
 * Prices per million tokens are also held in nanos per million tokens; cost = tokens * price / 1e6, rounded
 * half-up once per line item (never per token).
 */
export type Nanos = bigint;

/** Nanos in one US dollar. */
export const NANOS_PER_USD = 1_000_000_000n;

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal string or number ("0.0000025", "1,234.50", "1.5e-7") into exact nanos, rounding half away
 * from zero at the 9th decimal. Throws RangeError for anything that is not a finite decimal.
 */
export function parseUsd(input: string | number): Nanos {
  const text = typeof input === 'number' ? numberToPlainString(input) : input.trim().replace(/,/g, '');
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new RangeError(`not a decimal amount: ${JSON.stringify(input)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  const scale = (m[3] ?? '').length - Number(m[4] ?? '0');
  // value = digits * 10^-scale; we want round(value * 1e9)
  const shift = 9 - scale;
  if (digits === '') digits = '0';
  let n = BigInt(digits);
  if (shift >= 0) return sign * n * 10n ** BigInt(shift);
  const div = 10n ** BigInt(-shift);
  const q = n / div;
  const r = n % div;
  n = r * 2n >= div ? q + 1n : q;
  return sign * n;
}

function numberToPlainString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite amount: ${x}`);
  return String(x);
}

/** Converts nanos to a JavaScript number of dollars, for JSON output only (never for arithmetic). */
export function nanosToUsd(n: Nanos): number {
  return Number(n) / 1e9;
}

/** Formats nanos as a fixed decimal string of dollars (default 2 places, rounded half away from zero). */
export function formatUsd(n: Nanos, places = 2): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const unit = 10n ** BigInt(9 - places);
  const rounded = (abs + unit / 2n) / unit;
  const s = rounded.toString().padStart(places + 1, '0');
  const body = places > 0 ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return (neg && rounded !== 0n ? '-' : '') + body;
}

/** Formats nanos as an exact decimal string with all 9 places trimmed of trailing zeros ("0.0000025"). */
export function nanosToDecimalString(n: Nanos): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const s = abs.toString().padStart(10, '0');
  const frac = s.slice(-9).replace(/0+$/, '');
  return (neg ? '-' : '') + s.slice(0, -9) + (frac ? `.${frac}` : '');
}

/** Cost of `tokens` at a price in nanos per million tokens, rounded half-up to a whole nano. */
export function tokenCost(tokens: number | bigint, nanosPerMTok: Nanos): Nanos {
  const t = BigInt(tokens);
  const num = t * nanosPerMTok;
  const q = num / 1_000_000n;
  const r = num % 1_000_000n;
  return r * 2n >= 1_000_000n ? q + 1n : q;
}

/** Multiplies an amount by a rational factor given as a decimal string (e.g. discount "0.85"), rounding half-up. */
export function scaleNanos(n: Nanos, factor: string | number): Nanos {
  const f = parseUsd(factor); // factor in nanos: 1.0 => 1e9
  const num = n * f;
  const q = num / NANOS_PER_USD;
  const r = num % NANOS_PER_USD;
  const absR = r < 0n ? -r : r;
  if (absR * 2n >= NANOS_PER_USD) return num < 0n ? q - 1n : q + 1n;
  return q;
}

/** Exact sum of amounts. */
export function sumNanos(values: Iterable<Nanos>): Nanos {
  let s = 0n;
  for (const v of values) s += v;
  return s;
}

/**
 * Splits `total` across weights so the parts add up exactly to `total` (largest-remainder method).
 * Weights are non-negative integers (e.g. tokens); all-zero weights split evenly.
 */
export function splitNanos(total: Nanos, weights: readonly bigint[]): Nanos[] {
  if (weights.length === 0) return [];
  let w = weights.map((x) => (x < 0n ? 0n : x));
  let wsum = sumNanos(w);
  if (wsum === 0n) {
    w = weights.map(() => 1n);
    wsum = BigInt(weights.length);
  }
  const neg = total < 0n;
  const abs = neg ? -total : total;
  const parts = w.map((x) => (abs * x) / wsum);
  const rems = w.map((x, i) => ({ i, r: (abs * x) % wsum }));
  let left = abs - sumNanos(parts);
  rems.sort((a, b) => (b.r > a.r ? 1 : b.r < a.r ? -1 : a.i - b.i));
  for (let k = 0; left > 0n; k = (k + 1) % rems.length, left--) {
    const idx = rems[k]!.i;
    parts[idx] = parts[idx]! + 1n;
  }
  return neg ? parts.map((p) => -p) : parts;
}

/** A plain decimal as an integer and its count of decimal places ("-1.25" is [-125n, 2]). */
function scaledDecimal(text: string): [bigint, number] {
  const t = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
  const [int = '0', frac = ''] = t.replace(/^[+-]/, '').split('.');
  const v = BigInt(int + frac);
  return [t.startsWith('-') ? -v : v, frac.length];
}

/** Two plain decimals as integers on one scale. */
function commonScale(a: string, b: string): [bigint, bigint, number] {
  const [x, sx] = scaledDecimal(a);
  const [y, sy] = scaledDecimal(b);
  const s = Math.max(sx, sy);
  return [x * 10n ** BigInt(s - sx), y * 10n ** BigInt(s - sy), s];
}

/**
 * A stored decimal as exact text, unrounded, without trailing zeros ("16736.0000000006", "2.5", "-0.1"): for
 * amounts finer than a nano (FOCUS exports carry 10 places), which must print as stored, never via a float.
 */
export function exactDecimalText(text: string): string {
  const [v, s] = scaledDecimal(text);
  const digits = (v < 0n ? -v : v).toString().padStart(s + 1, '0');
  const int = digits.slice(0, digits.length - s);
  const frac = digits.slice(digits.length - s).replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return v < 0n ? `-${out}` : out;
}

/** Exact sum of two plain decimals at any scale ("16736.0000000006" + "0.0000000004"), as exactDecimalText. */
export function addDecimalText(a: string, b: string): string {
  const [x, y, s] = commonScale(a, b);
  const sum = x + y;
  const digits = (sum < 0n ? -sum : sum).toString().padStart(s + 1, '0');
  return exactDecimalText(
    `${sum < 0n ? '-' : ''}${digits.slice(0, digits.length - s)}.${digits.slice(digits.length - s) || '0'}`,
  );
}

/** -1, 0 or 1 as plain decimal `a` is below, equal to or above `b`, exactly. */
export function compareDecimalText(a: string, b: string): number {
  const [x, y] = commonScale(a, b);
  return x === y ? 0 : x > y ? 1 : -1;
}
