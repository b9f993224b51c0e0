/**
 * Exchange rates and exact conversion. A rate says 1 unit of `from` is `rate` units of `to`, in effect from its
 * UTC day until the pair's next rate. Conversion multiplies an exact amount by the rate as a fraction of two
 * integers (no float anywhere) and rounds once, half to even, at the nano (the one rounding rule; ADR 0030).
 * Without a rate for the pair or its inverse, two rates through one common currency are composed exactly (a
 * fraction of the two decimals, no intermediate rounding; ADR 0036).
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.js';
import { TallyError } from './errors.js';
import { formatUsd, type Nanos } from './money.js';

/** One exchange rate as configured or read from an export; `rate` is exact decimal text. */
export interface ExchangeRate {
  readonly day: string;
  readonly from: string;
  readonly to: string;
  readonly rate: string;
  /** Where it came from: a rates file path, or "export" (the cost export's own exchange-rate columns). */
  readonly source: string;
}

/** A rate as used for one conversion: the rate found, and whether it was used as its inverse. */
export interface AppliedRate extends ExchangeRate {
  /** True when only `to`→`from` was known and this conversion divides by it. */
  readonly inverse: boolean;
  /**
   * Set when no rate links the pair and two rates through a common currency do: `rate` is then their exact
   * composition ("A/B", e.g. EUR→GBP "1.1/1.25" from EUR→USD 1.1 and GBP→USD 1.25), `day` the later leg's.
   */
  readonly via?: { readonly currency: string; readonly legs: readonly [AppliedRate, AppliedRate] };
}

/** A positive rational rate num/den. */
interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const CURRENCY_RE = /^[A-Z]{3}$/;
const RATE_RE = /^(\d+)(?:\.(\d+))?$/;
const RATIO_RE = /^([^/]+)\/([^/]+)$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An exact positive decimal ("0.9234", "1", "157.2"), or a quotient of two ("1.1/1.25", as a composed rate is
 * written), as a fraction; throws RangeError otherwise.
 */
export function parseRate(text: string): Ratio {
  const q = RATIO_RE.exec(text.trim());
  if (q) {
    const a = parseDecimalRate(q[1]!);
    const b = parseDecimalRate(q[2]!);
    return { num: a.num * b.den, den: a.den * b.num };
  }
  return parseDecimalRate(text);
}

function parseDecimalRate(text: string): Ratio {
  const m = RATE_RE.exec(text.trim());
  if (!m) throw new RangeError(`not a plain positive decimal rate: ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  const num = BigInt((m[1] ?? '0') + frac);
  if (num === 0n) throw new RangeError(`a rate of zero converts nothing: ${JSON.stringify(text)}`);
  return { num, den: 10n ** BigInt(frac.length) };
}

/** num/den rounded to an integer, half to even (banker's rounding), for any sign of num and den > 0. */
function divideHalfEven(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const a = neg ? -num : num;
  let q = a / den;
  const twice = (a % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** nanos × rate, rounded half to even at the nano. */
export function convertNanos(n: Nanos, rate: string, inverse = false): Nanos {
  const r = parseRate(rate);
  return inverse ? divideHalfEven(n * r.den, r.num) : divideHalfEven(n * r.num, r.den);
}

/**
 * An exact decimal amount ("16736.0000000006", as a DECIMAL(38,10) column prints) times a rate, rounded half to
 * even at the nano. The amount's own digits below a nano take part before the one rounding.
 */
export function convertDecimal(text: string, rate: string, inverse = false): Nanos {
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a plain decimal amount: ${JSON.stringify(text)}`);
  const frac = m[3] ?? '';
  const digits = BigInt((m[2] ?? '0') + frac) * (m[1] === '-' ? -1n : 1n);
  const scale = 10n ** BigInt(frac.length);
  const r = parseRate(rate);
  const [num, den] = inverse ? [r.den, r.num] : [r.num, r.den];
  return divideHalfEven(digits * 1_000_000_000n * num, scale * den);
}

/** Rates looked up by pair and day: the latest rate on or before the day, the pair's inverse when only it exists. */
export class ExchangeRates {
  private readonly byPair = new Map<string, ExchangeRate[]>();

  /** Earlier entries win over later ones for the same pair and day (pass the rates file before the export). */
  constructor(rates: readonly ExchangeRate[]) {
    for (const r of rates) {
      const key = `${r.from}>${r.to}`;
      const list = this.byPair.get(key) ?? [];
      if (!list.some((x) => x.day === r.day)) list.push(r);
      this.byPair.set(key, list);
    }
    for (const list of this.byPair.values()) list.sort((a, b) => a.day.localeCompare(b.day));
  }

  /** The rate for `from`→`to` in effect on `day` (YYYY-MM-DD), or null; the identity for one currency. */
  find(from: string, to: string, day: string): AppliedRate | null {
    if (from === to) return { day, from, to, rate: '1', source: 'identity', inverse: false };
    const direct = latest(this.byPair.get(`${from}>${to}`), day);
    if (direct) return { ...direct, inverse: false };
    const back = latest(this.byPair.get(`${to}>${from}`), day);
    if (back) return { ...back, from, to, inverse: true };
    return this.through(from, to, day);
  }

  /** A rate on `day` for one pair, direct or inverse, never composed. */
  private leg(from: string, to: string, day: string): AppliedRate | null {
    const direct = latest(this.byPair.get(`${from}>${to}`), day);
    if (direct) return { ...direct, inverse: false };
    const back = latest(this.byPair.get(`${to}>${from}`), day);
    return back ? { ...back, from, to, inverse: true } : null;
  }

  /**
   * `from`→C→`to` through one common currency C (USD first when it links both, else the first in alphabetical
   * order), the two rates composed exactly: the rate is the quotient of the two legs' decimals.
   */
  private through(from: string, to: string, day: string): AppliedRate | null {
    const linked = (c: string) =>
      new Set(
        [...this.byPair.keys()].flatMap((k) => {
          const [a, b] = k.split('>') as [string, string];
          return a === c ? [b] : b === c ? [a] : [];
        }),
      );
    const common = [...linked(from)].filter((c) => c !== to && linked(to).has(c));
    common.sort((a, b) => (a === 'USD' ? -1 : b === 'USD' ? 1 : a.localeCompare(b)));
    for (const c of common) {
      const first = this.leg(from, c, day);
      const second = this.leg(c, to, day);
      if (!first || !second) continue;
      const part = (r: AppliedRate) => (r.inverse ? ['1', r.rate] : [r.rate, '1']);
      const [n1, d1] = part(first) as [string, string];
      const [n2, d2] = part(second) as [string, string];
      const [num, den] = [multiplyDecimals(n1, n2), multiplyDecimals(d1, d2)];
      return {
        day: first.day > second.day ? first.day : second.day,
        from,
        to,
        rate: den === '1' ? num : `${num}/${den}`,
        source: first.source === second.source ? first.source : `${first.source} + ${second.source}`,
        inverse: false,
        via: { currency: c, legs: [first, second] },
      };
    }
    return null;
  }

  /** Like find, but refuses (conflict) with the missing pair and day named, never adding unconverted amounts. */
  require(from: string, to: string, day: string): AppliedRate {
    const r = this.find(from, to, day);
    if (r) return r;
    throw new TallyError(
      'conflict',
      `no exchange rate ${from}→${to} on or before ${day} (none for the pair, its inverse, or through one common currency): Tally does not add different currencies. Add a line "${day},${from},${to},RATE" to the file named in reporting.ratesFile, or ingest an export whose rows carry the rate (x_BillingExchangeRate, ExchangeRatePricingToBilling)`,
      { from, to, day },
    );
  }

  /** Amount in `from` (decimal text or nanos) as nanos of `to` on `day`, with the rate used. */
  convert(
    amount: string | Nanos,
    from: string,
    to: string,
    day: string,
  ): { nanos: Nanos; rate: AppliedRate } {
    const rate = this.require(from, to, day);
    const nanos =
      typeof amount === 'bigint'
        ? convertNanos(amount, rate.rate, rate.inverse)
        : convertDecimal(amount, rate.rate, rate.inverse);
    return { nanos, rate };
  }
}

/** The exact product of two plain decimals as plain decimal text ("1.1" × "0.8" = "0.88"). */
function multiplyDecimals(a: string, b: string): string {
  const ra = parseDecimalRate(a);
  const rb = parseDecimalRate(b);
  const digits = ra.num * rb.num;
  const places = (ra.den * rb.den).toString().length - 1;
  if (places === 0) return digits.toString();
  const text = digits.toString().padStart(places + 1, '0');
  const out = `${text.slice(0, -places)}.${text.slice(-places)}`.replace(/0+$/, '').replace(/\.$/, '');
  return out;
}

function latest(list: readonly ExchangeRate[] | undefined, day: string): ExchangeRate | null {
  let found: ExchangeRate | null = null;
  for (const r of list ?? []) if (r.day <= day) found = r;
  return found;
}

/** Parses a rates CSV (header `date,from,to,rate`; exact decimals), naming the line of anything malformed. */
export function parseRatesCsv(text: string, source: string): ExchangeRate[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const cols = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  const [iDate, iFrom, iTo, iRate] = [at('date'), at('from'), at('to'), at('rate')];
  if (iDate < 0 || iFrom < 0 || iTo < 0 || iRate < 0)
    throw new TallyError('invalid_config', `${source}: the header must be date,from,to,rate`, {
      file: source,
    });
  const out: ExchangeRate[] = [];
  rows.forEach((r, n) => {
    if (r.every((c) => c.trim() === '')) return;
    const line = n + 2;
    const cell = (i: number) => (r[i] ?? '').trim();
    const [day, from, to, rate] = [
      cell(iDate),
      cell(iFrom).toUpperCase(),
      cell(iTo).toUpperCase(),
      cell(iRate),
    ];
    const bad = (what: string) =>
      new TallyError('invalid_config', `${source}:${line}: ${what}`, { file: source, line });
    if (!DAY_RE.test(day)) throw bad(`date "${day}" is not YYYY-MM-DD`);
    if (!CURRENCY_RE.test(from) || !CURRENCY_RE.test(to))
      throw bad(`"${from}" or "${to}" is not an ISO 4217 code`);
    try {
      parseDecimalRate(rate);
    } catch (err) {
      throw bad((err as Error).message);
    }
    out.push({ day, from, to, rate, source });
  });
  return out;
}

/** Reads a rates file (reporting.ratesFile). */
export function readRatesFile(path: string): ExchangeRate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TallyError('invalid_config', `reporting.ratesFile ${path}: ${(err as Error).message}`, {
      field: 'reporting.ratesFile',
    });
  }
  return parseRatesCsv(text, path);
}

/** An amount for people to read: "$1,234.56"-style for USD ("$1234.56"), "1234.56 EUR" for any other currency. */
export function formatMoney(n: Nanos, currency: string): string {
  return currency === 'USD' ? `$${formatUsd(n)}` : `${formatUsd(n)} ${currency}`;
}

/** One line naming the reporting currency and each rate used ("EUR→USD 1/0.92 from export, 2026-11-01"). */
export function describeRates(currency: string, rates: readonly AppliedRate[]): string {
  if (rates.length === 0) return `currency: ${currency} (nothing converted)`;
  const each = rates.map(
    (r) =>
      `${r.from}→${r.to} ${r.inverse ? `1/${r.rate}` : r.rate}${r.via ? ` via ${r.via.currency}` : ''} from ${r.source} (${r.day})`,
  );
  return `currency: ${currency}; converted at ${each.join(', ')}`;
}
