/** Conversions between DuckDB values and JSON-safe JavaScript values. */
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBMapValue,
  timestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { SqlParam } from '../store.js';

/** Makes a DuckDB value JSON-safe: integers become numbers when exact, decimals numbers, timestamps ISO strings. */
export function toJsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (typeof v !== 'object') return v;
  if (v instanceof DuckDBDecimalValue) return Number(v.toString());
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) {
    const ms = Number(v.micros / 1000n);
    return new Date(ms).toISOString();
  }
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBListValue) return v.items.map(toJsonValue);
  if (v instanceof DuckDBStructValue) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.entries)) out[k] = toJsonValue(x);
    return out;
  }
  if (v instanceof DuckDBMapValue)
    return v.entries.map((e) => ({ key: toJsonValue(e.key), value: toJsonValue(e.value) }));
  return String(v);
}

/** Exact decimal text of a DuckDB value (for money columns read back without float loss). */
export function toExactString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof DuckDBDecimalValue) return v.toString();
  return String(v);
}

/** Converts a SqlParam to a DuckDB bind value. Dates become TIMESTAMPTZ. */
export function toDuckParam(p: SqlParam): DuckDBValue {
  if (p instanceof Date) return timestampTZValue(BigInt(p.getTime()) * 1000n);
  return p;
}
