/**
 * Reading usage from the daily rollup (migration 901) when a query allows it: grouped only by rollup dimensions
 * and `day`, filtered only on them, over whole UTC days. The answer is the one aggregating the events gives
 * (same columns, same order); anything else reads usage_events.
 */
import type { Row, SqlParam, UsageAggregate, UsageQuery } from '../store.js';
import { ROLLUP_DIMS } from './_migrations.js';
import { toUsageAggregate } from '../sql/_usage.js';

const DAY = 86_400_000;
const ROLLUP = new Set<string>(ROLLUP_DIMS);

/** True when the rollup answers `q` exactly. */
export function rollupAnswers(q: UsageQuery): boolean {
  if (q.idPrefix !== undefined) return false;
  if (q.from.getTime() % DAY !== 0 || q.to.getTime() % DAY !== 0) return false;
  if (!q.by.every((d) => d === 'day' || ROLLUP.has(d))) return false;
  return Object.entries(q.where ?? {}).every(([k, v]) => v === undefined || ROLLUP.has(k));
}

/** The aggregation over usage_daily, in aggregateUsage's shape and order. */
export async function rollupAggregate(
  query: (sql: string, params: readonly SqlParam[]) => Promise<Row[]>,
  q: UsageQuery,
): Promise<UsageAggregate[]> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const params: SqlParam[] = [day(q.from), day(q.to)];
  const where = ['day >= CAST($1 AS DATE)', 'day < CAST($2 AS DATE)'];
  for (const [k, v] of Object.entries(q.where ?? {})) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${k} = $${params.length}`);
  }
  const col = (d: string) => (d === 'day' ? "to_char(day, 'YYYY-MM-DD')" : d);
  const dims = q.by.map((d, i) => `${col(d)} AS d${i}`);
  const keys = q.by.map((_, i) => `d${i}`).join(', ');
  const rows = await query(
    `SELECT ${[...dims, ''].join(', ')}
       CAST(sum(requests) AS BIGINT) AS requests, sum(input_tokens) AS input_tokens,
       sum(cached_input_tokens) AS cached_input_tokens, sum(output_tokens) AS output_tokens,
       sum(reasoning_tokens) AS reasoning_tokens, CAST(sum(cost_nanos) AS TEXT) AS cost,
       CAST(sum(list_cost_nanos) AS TEXT) AS list_cost, CAST(sum(saved_cost_nanos) AS TEXT) AS saved_cost,
       CAST(sum(errors) AS BIGINT) AS errors, CAST(sum(cache_hits) AS BIGINT) AS cache_hits,
       CAST(sum(duration_ms) AS DOUBLE PRECISION) / CAST(nullif(sum(requests), 0) AS DOUBLE PRECISION) AS avg_duration_ms
     FROM usage_daily WHERE ${where.join(' AND ')}
     ${q.by.length ? `GROUP BY ${keys} ORDER BY sum(cost_nanos) DESC, ${keys}` : ''}`,
    params,
  );
  // With no grouping and no rows, aggregating events still answers one row of zeros.
  return rows.map((r) => toUsageAggregate(q, r));
}
