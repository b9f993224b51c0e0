/** DuckDB's spelling of the Dialect (see store/sql/dialect.ts). */
import type { Dialect } from '../sql/dialect.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The DuckDB dialect. */
export const DUCKDB_DIALECT: Dialect = {
  jsonText: (json, key) => `json_extract_string(${json}, ${lit(`$.${key}`)})`,
  jsonTextBound(json, key, params) {
    params.push(`$."${key.replace(/["\\]/g, '')}"`);
    return `json_extract_string(${json}, $${params.length})`;
  },
  jsonValue: (json, key) => `json_extract(${json}, ${lit(`$.${key}`)})`,
  epochMs: (ts) => `epoch_ms(${ts})`,
  dayText: (ts) => `strftime(${ts} AT TIME ZONE 'UTC', '%Y-%m-%d')`,
  hourText: (ts) => `strftime(${ts} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:00:00Z')`,
  secondText: (ts) => `strftime(${ts} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`,
  rowJson: (pairs) =>
    `CAST(to_json(struct_pack(${pairs.map(([n, e]) => `"${n}" := ${e}`).join(', ')})) AS VARCHAR)`,
};
