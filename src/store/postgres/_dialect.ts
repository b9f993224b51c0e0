/** PostgreSQL's spelling of the Dialect (see store/sql/dialect.ts). JSON columns are JSON (text kept as written); ->> works on it. */
import type { Dialect } from '../sql/dialect.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

// json_build_object takes at most 100 arguments (50 pairs): larger rows are built in chunks and merged.
const PAIRS_PER_OBJECT = 40;

/** The PostgreSQL dialect. */
export const POSTGRES_DIALECT: Dialect = {
  jsonText: (json, key) => `(${json} ->> ${lit(key)})`,
  jsonTextBound(json, key, params) {
    params.push(key);
    return `(${json} ->> CAST($${params.length} AS TEXT))`;
  },
  jsonValue: (json, key) => `(${json} -> ${lit(key)})`,
  // DuckDB's epoch_ms truncates to the millisecond: floor, not round.
  epochMs: (ts) => `CAST(floor(extract(epoch FROM ${ts}) * 1000) AS BIGINT)`,
  dayText: (ts) => `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  hourText: (ts) => `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  secondText: (ts) => `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  rowJson(pairs) {
    const objects: string[] = [];
    for (let i = 0; i < pairs.length; i += PAIRS_PER_OBJECT)
      objects.push(
        `jsonb_build_object(${pairs
          .slice(i, i + PAIRS_PER_OBJECT)
          .map(([n, e]) => `${lit(n)}, ${e}`)
          .join(', ')})`,
      );
    return `CAST(${objects.join(' || ') || "'{}'::jsonb"} AS TEXT)`;
  },
};
