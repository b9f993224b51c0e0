/**
 * Reading usage from the daily rollup `usage_daily` (PostgreSQL migration 901, DuckDB migration 34; both kept
 * exact at every write, ADR 0034) when a query allows it: grouped only by rollup dimensions
 * and `day`, filtered only on them, over whole UTC days. The answer is the one aggregating the events gives
 * (same columns, same order); anything else reads usage_events.
 */
import type { SqlParam, UsageAggregate, UsageQuery } from '../store.js';
import { ROLLUP_DIMS } from '../daily-rollup.js';
import type { SqlRunner } from './dialect.js';
import { toUsageAggregate } from './_usage.js';

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
export async function rollupAggregate(r: SqlRunner, q: UsageQuery): Promise<UsageAggregate[]> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const params: SqlParam[] = [day(q.from), day(q.to)];
  const where = ['day >= CAST($1 AS DATE)', 'day < CAST($2 AS DATE)'];
  for (const [k, v] of Object.entries(q.where ?? {})) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${k} = $${params.length}`);
  }
  const col = (d: string) =>
    d === 'day' ? r.dialect.dayText("(CAST(day AS TIMESTAMP) AT TIME ZONE 'UTC')") : d;
  const dims = q.by.map((d, i) => `${col(d)} AS d${i}`);
  const keys = q.by.map((_, i) => `d${i}`).join(', ');
  const rows = await r.query(
    `SELECT ${[...dims, ''].join(', ')}
       CAST(sum(requests) AS BIGINT) AS requests, CAST(sum(input_tokens) AS BIGINT) AS input_tokens,
       CAST(sum(cached_input_tokens) AS BIGINT) AS cached_input_tokens,
       CAST(sum(output_tokens) AS BIGINT) AS output_tokens,
       CAST(sum(reasoning_tokens) AS BIGINT) AS reasoning_tokens, CAST(sum(cost_nanos) AS VARCHAR) AS cost,
       CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost,
       CAST(sum(saved_cost_nanos) AS VARCHAR) AS saved_cost,
       CAST(sum(errors) AS BIGINT) AS errors, CAST(sum(cache_hits) AS BIGINT) AS cache_hits,
       CAST(sum(duration_ms) AS DOUBLE PRECISION) / CAST(nullif(sum(requests), 0) AS DOUBLE PRECISION) AS avg_duration_ms
     FROM usage_daily WHERE ${where.join(' AND ')}
     ${q.by.length ? `GROUP BY ${keys} ORDER BY sum(cost_nanos) DESC, ${keys}` : ''}`,
    params,
  );
  // With no grouping and no rows, aggregating events still answers one row of zeros.
  return rows.map((row) => toUsageAggregate(q, row));
}
