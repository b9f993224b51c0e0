/**
 * The daily usage rollup on DuckDB (`usage_daily`, migration 34; ADR 0034): the ledger summed per UTC day and
 * chargeback's eight dimensions, the same table PostgreSQL keeps with triggers (its migration 901). DuckDB has
 * no statement triggers, so every write of usage_events adds its rows here in the same transaction: the ledger's
 * append and WAL load (the rows they really inserted), the demo's delete (subtracted). Reports read it through
 * the portable sql/_rollup.ts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ROLLUP_DIMS, ROLLUP_METRICS } from '../daily-rollup.js';

const DIMS = ROLLUP_DIMS.join(', ');

/** The sums of `from`'s usage rows per day and dimensions; `sign` -1 for rows going away. */
export const rollupSelect = (from: string, sign: 1 | -1 = 1): string => {
  const s = sign < 0 ? '-' : '';
  return `SELECT CAST(start_time AT TIME ZONE 'UTC' AS DATE) AS day, ${DIMS}, ${s}count(*) AS requests,
    ${s}sum(input_tokens) AS input_tokens, ${s}sum(cached_input_tokens) AS cached_input_tokens,
    ${s}sum(output_tokens) AS output_tokens, ${s}sum(reasoning_tokens) AS reasoning_tokens,
    ${s}sum(cost_nanos) AS cost_nanos, ${s}sum(list_cost_nanos) AS list_cost_nanos,
    ${s}sum(saved_cost_nanos) AS saved_cost_nanos, ${s}count(*) FILTER (WHERE http_status >= 400) AS errors,
    ${s}count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
    ${s}sum(duration_ms) AS duration_ms
  FROM ${from} GROUP BY ALL`;
};

/** Migration 34: the table (HUGEINT sums, exact), filled from the events an existing store holds. */
export const ROLLUP_MIGRATION_SQL = `
CREATE TABLE usage_daily (
  day DATE NOT NULL,
  ${ROLLUP_DIMS.map((d) => `${d} VARCHAR`).join(',\n  ')},
  ${ROLLUP_METRICS.map((m) => `${m} HUGEINT NOT NULL`).join(',\n  ')}
);
INSERT INTO usage_daily ${rollupSelect('usage_events')};
`;

const MATCH = ['t.day = d.day', ...ROLLUP_DIMS.map((d) => `t.${d} IS NOT DISTINCT FROM d.${d}`)].join(
  ' AND ',
);
const COLUMNS = ['day', ...ROLLUP_DIMS, ...ROLLUP_METRICS];

/**
 * The statement adding the rollup of the usage rows in `relation` (a table or parenthesised query) to
 * usage_daily, subtracting when `sign` is -1: one MERGE on the day and the dimensions (null matches null, as
 * GROUP BY puts null dimensions in one group), which adds to the rows there, inserts the new ones and deletes a
 * row that comes to no request. One statement, where a re-sum of the touched days took six (ADR 0052).
 */
export const rollupMergeSql = (relation: string, sign: 1 | -1 = 1): string => `
MERGE INTO usage_daily t USING (${rollupSelect(relation, sign)}) d ON ${MATCH}
WHEN MATCHED AND t.requests + d.requests = 0 THEN DELETE
WHEN MATCHED THEN UPDATE SET ${ROLLUP_METRICS.map((m) => `${m} = t.${m} + d.${m}`).join(', ')}
WHEN NOT MATCHED THEN INSERT (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `d.${c}`).join(', ')})`;

/** Adds (or with `sign` -1 subtracts) the rollup of `relation`'s usage rows; call inside the write's transaction. */
export async function addToRollup(conn: DuckDBConnection, relation: string, sign: 1 | -1 = 1): Promise<void> {
  await conn.run(rollupMergeSql(relation, sign));
}
