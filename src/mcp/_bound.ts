/**
 * Bounds on what a tool may return, so an assistant can read summaries and top rows but never pull the ledger:
 * row limits per tool (validated arguments) and one size cap on every result.
 */
import { nanosToDecimalString, parseUsd, sumNanos } from '../core/index.js';

/** Largest result a tool returns, in characters of JSON (about 8k tokens). */
export const MAX_RESULT_CHARS = 32_000;

/** The first `limit` rows, with how many there were. */
export function topRows<T>(
  rows: readonly T[],
  limit: number,
): { rows: T[]; rowCount: number; omittedRows: number } {
  return { rows: rows.slice(0, limit), rowCount: rows.length, omittedRows: Math.max(0, rows.length - limit) };
}

/** An amount as reports print it (a number, or exact decimal text) in nanos; anything else is 0. */
export function amountNanos(v: unknown): bigint {
  if (typeof v === 'number') return parseUsd(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return parseUsd(v);
  return 0n;
}

/** Exact sum of a USD field over rows, as a decimal string. */
export function sumUsd(rows: readonly Record<string, unknown>[], field: string): string {
  return nanosToDecimalString(sumNanos(rows.map((r) => amountNanos(r[field]))));
}

function largestArray(doc: Record<string, unknown>): string | null {
  let best: string | null = null;
  let size = 0;
  for (const [k, v] of Object.entries(doc))
    if (Array.isArray(v) && v.length > 1 && JSON.stringify(v).length > size) {
      best = k;
      size = JSON.stringify(v).length;
    }
  return best;
}

/**
 * Keeps a result under MAX_RESULT_CHARS: halves its largest array until it fits (marking `truncated`), and
 * replaces anything still too large with a note. Returns the JSON text.
 */
export function capResult(result: unknown, max = MAX_RESULT_CHARS): string {
  let text = JSON.stringify(result);
  if (text.length <= max) return text;
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const doc = { ...(result as Record<string, unknown>) };
    for (let key = largestArray(doc); key && text.length > max; key = largestArray(doc)) {
      const arr = doc[key] as unknown[];
      doc[key] = arr.slice(0, Math.floor(arr.length / 2));
      doc['truncated'] =
        `${key} cut to fit ${max} characters; ask for fewer rows (limit) or a narrower window`;
      text = JSON.stringify(doc);
    }
    if (text.length <= max) return text;
  }
  return JSON.stringify({
    truncated: `the result (${text.length} characters) is over ${max}; ask for fewer rows or a narrower window`,
  });
}
