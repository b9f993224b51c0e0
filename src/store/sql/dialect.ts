/**
 * What differs between the SQL backends, as small functions that return SQL fragments. Everything else in
 * src/store/sql/ is portable SQL both DuckDB and PostgreSQL run ($n placeholders, CAST, date_trunc, SUM/GROUP BY,
 * CASE, COALESCE, FILTER, percentile_cont ... WITHIN GROUP, ON CONFLICT). A backend supplies one Dialect.
 */
import type { Row, SqlParam } from '../store.js';

/** SQL fragments a backend spells its own way. Arguments are SQL expressions (already safe), keys are literals. */
export interface Dialect {
  /** Text of a top-level JSON field, SQL NULL when absent or JSON null (`key` is a plain identifier-like word). */
  jsonText(json: string, key: string): string;
  /** The same with the key bound as a parameter (an allocation rule's Tags.<key>): pushes it, returns the SQL. */
  jsonTextBound(json: string, key: string, params: SqlParam[]): string;
  /** A top-level JSON field as JSON (not NULL for a present JSON null). */
  jsonValue(json: string, key: string): string;
  /** Epoch milliseconds (BIGINT) of a TIMESTAMPTZ expression. */
  epochMs(ts: string): string;
  /** YYYY-MM-DD of a TIMESTAMPTZ in UTC. */
  dayText(ts: string): string;
  /** YYYY-MM-DDTHH:00:00Z of a TIMESTAMPTZ in UTC. */
  hourText(ts: string): string;
  /** YYYY-MM-DDTHH:MM:SSZ of a TIMESTAMPTZ in UTC. */
  secondText(ts: string): string;
  /** One JSON object text per row from (name, expression) pairs, in order. */
  rowJson(pairs: readonly (readonly [name: string, expr: string])[]): string;
}

/**
 * How a backend runs the portable SQL. Rows are JSON-safe: integers as numbers when exact (else decimal text),
 * timestamps as ISO-8601 text, JSON columns as text or parsed values; money is read as CAST(... AS VARCHAR).
 */
export interface SqlRunner {
  readonly dialect: Dialect;
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  exec(sql: string, params?: readonly SqlParam[]): Promise<void>;
}

/** Epoch-ms start of the `ms`-long bucket a TIMESTAMPTZ falls in (UTC; days and hours divide epochs evenly). */
export const bucketSql = (d: Dialect, ts: string, ms: number): string =>
  `CAST(floor(${d.epochMs(ts)} / ${ms}) AS BIGINT) * ${ms}`;
