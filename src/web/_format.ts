/**
 * How numbers look on the pages. Money from the report documents is exact (at most 9 decimals, i.e. whole
 * nanos), so it is shown with every digit it has: the cents in full weight and any sub-cent digits dimmed, never
 * rounded by float arithmetic. Estimates (forecasts, per-unit ratios) are not exact to begin with and are rounded.
 */
import { nanosToDecimalString, parseUsd } from '../core/index.js';
import { html, type Html } from './_html.js';

/** Exact decimal text of a money value from a document ("-1e-9" becomes "-0.000000001"). */
export function moneyText(v: unknown): string | null {
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  try {
    return nanosToDecimalString(parseUsd(v));
  } catch {
    return null;
  }
}

/** Inserts thousands separators into the integer part of a plain decimal string, leaving its digits alone. */
export function groupThousands(decimal: string): string {
  const neg = decimal.startsWith('-');
  const body = neg ? decimal.slice(1) : decimal;
  const [int = '0', frac] = body.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (frac !== undefined ? `.${frac}` : '');
}

/**
 * A grouped amount with its currency, as the CLI prints it (`formatMoney`): "$1,234.56" in USD, "1,234.56 EUR"
 * in any other currency. Every amount on a page names its currency (the report document's `currency`), so a
 * report in EUR never shows "$" (ADR 0041).
 */
export function withCurrency(signed: string, currency: string): string {
  const [pre, post] = affixes(currency);
  const neg = signed.startsWith('-');
  return `${neg ? '-' : ''}${pre}${neg ? signed.slice(1) : signed}${post}`;
}

/** What goes before and after an amount: "$" before USD, the code after any other currency. */
const affixes = (currency: string): [string, string] =>
  currency === 'USD' ? ['$', ''] : ['', ` ${currency}`];

/** Exact money as text: "$19,418.209414082" or "19,418.209414082 EUR"; whole amounts get ".00" so columns line up. */
export function usdText(v: unknown, currency: string): string {
  const t = moneyText(v);
  if (t === null) return '–';
  const neg = t.startsWith('-');
  const abs = neg ? t.slice(1) : t;
  const [int = '0', frac = ''] = abs.split('.');
  return withCurrency(`${neg ? '-' : ''}${groupThousands(int)}.${frac.padEnd(2, '0')}`, currency);
}

/**
 * Exact money as markup: cents in full, sub-cent digits in a dimmed span, the exact value in `<data>` (its
 * currency in `data-currency`).
 */
export function usd(v: unknown, currency: string): Html {
  const t = moneyText(v);
  if (t === null) return html`<span class="na">–</span>`;
  const neg = t.startsWith('-');
  const [int = '0', frac = ''] = (neg ? t.slice(1) : t).split('.');
  const cents = frac.padEnd(2, '0');
  const sub = cents.slice(2);
  const [pre, post] = affixes(currency);
  return html`<data class="money" value="${t}" data-currency="${currency}"
    >${neg ? '-' : ''}${pre}${groupThousands(int)}.${cents.slice(0, 2)}${
      sub ? html`<span class="subcent">${sub}</span>` : ''
    }${post}</data
  >`;
}

/** An estimate in the given currency, rounded to cents (or to 4 significant digits below one cent). */
export function usdEstimate(v: unknown, currency: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  const places = abs !== 0 && abs < 0.01 ? Math.min(9, 2 - Math.floor(Math.log10(abs)) + 1) : 2;
  const t = abs.toFixed(places);
  const [int = '0', frac] = t.split('.');
  return withCurrency(`${v < 0 ? '-' : ''}${groupThousands(int)}${frac ? `.${frac}` : ''}`, currency);
}

/** A count (requests, tokens, rows) with thousands separators. */
export function count(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return groupThousands(String(Math.round(v)));
}

/** A percentage given in percent units (12.5 → "12.5%"), one decimal. */
export function pct(v: unknown, places = 1): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  return `${v.toFixed(places)}%`;
}

/** A share in percent with two significant digits when small ("0.022%"), one decimal otherwise ("19.0%"). */
export function sharePct(share: number | null | undefined): string {
  if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p === 0 || Math.abs(p) >= 1) return `${p.toFixed(1)}%`;
  return `${Number(p.toPrecision(2))}%`;
}

/** A signed change in percent ("+12.5%", "-3.1%") with a class for colour; spend going up is the warning. */
export function change(v: unknown): Html {
  if (typeof v !== 'number' || !Number.isFinite(v)) return html`<span class="na">–</span>`;
  const cls = v > 0 ? 'up' : v < 0 ? 'down' : 'flat';
  return html`<span class="${cls}">${v > 0 ? '+' : ''}${v.toFixed(1)}%</span>`;
}

/** Exact sum of money values (nanos under the hood), as a plain decimal string. */
export function sumMoney(values: readonly unknown[]): string {
  let total = 0n;
  for (const v of values) {
    const t = moneyText(v);
    if (t !== null) total += parseUsd(t);
  }
  return nanosToDecimalString(total);
}

/** Exact difference a - b of two money values, as a plain decimal string (null when either is missing). */
export function diffMoney(a: unknown, b: unknown): string | null {
  const x = moneyText(a);
  const y = moneyText(b);
  return x === null || y === null ? null : nanosToDecimalString(parseUsd(x) - parseUsd(y));
}

/** Percentage change from b to a (null when b is zero or missing); for display only. */
export function changePct(a: unknown, b: unknown): number | null {
  const x = moneyText(a);
  const y = moneyText(b);
  if (x === null || y === null || Number(y) === 0) return null;
  return ((Number(x) - Number(y)) / Math.abs(Number(y))) * 100;
}

/** A date or ISO timestamp as "2026-11-19" or "2026-11-19 14:00 UTC". */
export function when(v: unknown): string {
  if (typeof v !== 'string' || v === '') return '–';
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(v);
  if (!m) return v;
  return m[2] && m[2] !== '00:00' ? `${m[1]} ${m[2]} UTC` : (m[1] ?? v);
}
