/** Usage-ledger reads in portable SQL: aggregation by dimensions, counts, extents, paging and restart totals. */
import { TallyError } from '../../core/index.js';
import { USAGE_COLUMNS, type UsageColumnType, type UsageEvent } from '../usage-event.js';
import {
  TAG_DIMENSION_RE,
  USAGE_DIMENSIONS,
  type Row,
  type SqlParam,
  type UsageAggregate,
  type UsageDimension,
  type UsageQuery,
} from '../store.js';
import type { TokenDayRow, UsageExtent, UsageTotalsRow, Window } from '../reports.js';
import type { Dialect, SqlRunner } from './dialect.js';

const dimSql = (d: Dialect): Record<UsageDimension, string> => ({
  team: 'team',
  app: 'app',
  environment: 'environment',
  cost_center: 'cost_center',
  key_id: 'key_id',
  end_user: 'end_user',
  provider: 'provider',
  upstream: 'upstream',
  deployment: 'deployment',
  model: 'model',
  request_model: 'request_model',
  deployment_type: 'deployment_type',
  region: 'region',
  operation: 'operation',
  usage_source: 'usage_source',
  cache_outcome: 'cache_outcome',
  day: d.dayText('start_time'),
  hour: d.hourText('start_time'),
});

/** Aggregates usage over a window by dimensions (from a closed list; filter values are bound parameters). */
export async function aggregateUsage(r: SqlRunner, q: UsageQuery): Promise<UsageAggregate[]> {
  const dimsOf = dimSql(r.dialect);
  for (const d of q.by)
    if (!USAGE_DIMENSIONS.includes(d as UsageDimension) && !TAG_DIMENSION_RE.test(d))
      throw new TallyError(
        'invalid_input',
        `unknown usage dimension "${d}"; use one of ${USAGE_DIMENSIONS.join(', ')}`,
      );
  const params: SqlParam[] = [q.from, q.to];
  const where = ['start_time >= $1', 'start_time < $2'];
  for (const [k, v] of Object.entries(q.where ?? {})) {
    if (v === undefined) continue;
    const col = dimsOf[k as UsageDimension];
    if (!col) throw new TallyError('invalid_input', `unknown usage filter "${k}"`);
    params.push(v);
    where.push(`${col} = $${params.length}`);
  }
  if (q.idPrefix !== undefined) {
    params.push(q.idPrefix);
    where.push(`starts_with(id, $${params.length})`);
  }
  // `tag:K` groups by the request's (or its key's) tag K; the key is a bound parameter, never SQL text.
  const dims = q.by.map((d, i) =>
    d.startsWith('tag:')
      ? `${r.dialect.jsonTextBound('tags', d.slice(4), params)} AS d${i}`
      : `${dimsOf[d as UsageDimension]} AS d${i}`,
  );
  const keys = q.by.map((_, i) => `d${i}`).join(', ');
  const group = q.by.length ? `GROUP BY ${keys}` : '';
  const order = q.by.length ? `ORDER BY sum(cost_nanos) DESC, ${keys}` : '';
  const rows = await r.query(
    `SELECT ${[...dims, ''].join(', ')}
    count(*) AS requests,
    sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
    sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
    CAST(sum(cost_nanos) AS VARCHAR) AS cost, CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost,
    CAST(sum(saved_cost_nanos) AS VARCHAR) AS saved_cost,
    count(*) FILTER (WHERE http_status >= 400) AS errors,
    count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
    avg(duration_ms) AS avg_duration_ms
    FROM usage_events WHERE ${where.join(' AND ')} ${group} ${order}`,
    params,
  );
  return rows.map((row) => toUsageAggregate(q, row));
}

/** One result row (dimensions as d0, d1…, sums as the aggregate's columns) as a UsageAggregate. */
export function toUsageAggregate(q: UsageQuery, r: Row): UsageAggregate {
  const dims: Record<string, string | null> = {};
  q.by.forEach((d, i) => {
    const v = r[`d${i}`];
    dims[d] = v === null || v === undefined ? null : String(v);
  });
  const num = (k: string) => Number(r[k] ?? 0);
  const big = (k: string) => BigInt(String(r[k] ?? 0));
  return {
    dims,
    requests: num('requests'),
    inputTokens: num('input_tokens'),
    cachedInputTokens: num('cached_input_tokens'),
    outputTokens: num('output_tokens'),
    reasoningTokens: num('reasoning_tokens'),
    costNanos: big('cost'),
    listCostNanos: big('list_cost'),
    savedCostNanos: big('saved_cost'),
    errors: num('errors'),
    cacheHits: num('cache_hits'),
    avgDurationMs: Number(r['avg_duration_ms'] ?? 0),
  };
}

/** Event count and first/last start in a window (or over the whole ledger). */
export async function usageExtent(r: SqlRunner, w?: Window): Promise<UsageExtent> {
  const d = r.dialect;
  const [row] = await r.query(
    `SELECT count(*) AS n, ${d.epochMs('min(start_time)')} AS lo, ${d.epochMs('max(start_time)')} AS hi
     FROM usage_events${w ? ' WHERE start_time >= $1 AND start_time < $2' : ''}`,
    w ? [w.from, w.to] : [],
  );
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
  return { events: Number(row?.['n'] ?? 0), first: at(row?.['lo']), last: at(row?.['hi']) };
}

// Each logical type read back as a JSON-safe value and turned into the UsageEvent field.
const READ: Record<
  UsageColumnType,
  { sql: (d: Dialect, col: string) => string; value: (v: unknown) => unknown }
> = {
  text: { sql: (_d, c) => c, value: (v) => (v === null || v === undefined ? null : String(v)) },
  epochMs: { sql: (d, c) => d.epochMs(c), value: (v) => Number(v) },
  int32: { sql: (_d, c) => c, value: (v) => (v === null || v === undefined ? null : Number(v)) },
  int16: { sql: (_d, c) => c, value: (v) => (v === null || v === undefined ? null : Number(v)) },
  int64: { sql: (_d, c) => c, value: (v) => (v === null || v === undefined ? null : Number(v)) },
  bool: { sql: (_d, c) => c, value: (v) => v === true },
  nanos: { sql: (_d, c) => `CAST(${c} AS VARCHAR)`, value: (v) => BigInt(String(v ?? 0)) },
  json: {
    sql: (_d, c) => `CAST(${c} AS VARCHAR)`,
    value: (v) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? {})),
  },
};

/** Stored events in a window by (start_time, id), `limit` at a time after a cursor: the whole ledger, paged. */
export async function readUsage(
  r: SqlRunner,
  q: { from: Date; to: Date; limit: number; after?: { startTime: number; id: string } },
): Promise<UsageEvent[]> {
  const cols = USAGE_COLUMNS.map((c) => `${READ[c.type].sql(r.dialect, c.name)} AS ${c.name}`).join(', ');
  const params: SqlParam[] = [q.from, q.to];
  let after = '';
  if (q.after) {
    params.push(new Date(q.after.startTime), q.after.id);
    after = ' AND (start_time > $3 OR (start_time = $3 AND id > $4))';
  }
  params.push(Math.max(0, Math.floor(q.limit)));
  const rows = await r.query(
    `SELECT ${cols} FROM usage_events WHERE start_time >= $1 AND start_time < $2${after}
     ORDER BY start_time, id LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => {
    const e: Record<string, unknown> = {};
    for (const c of USAGE_COLUMNS) e[c.field] = READ[c.type].value(row[c.name]);
    return e as unknown as UsageEvent;
  });
}

/** Tokens (cache hits excluded) and cost per key, team and app since each cut-off; nanos stay exact as text. */
export async function usageTotalsSince(
  r: SqlRunner,
  from: Date,
  cutoffs: readonly Date[],
): Promise<UsageTotalsRow[]> {
  const cols = cutoffs
    .map(
      (_, i) =>
        `CAST(SUM(CASE WHEN start_time >= $${i + 2} AND NOT starts_with(cache_outcome, 'hit') ` +
        `THEN input_tokens + output_tokens ELSE 0 END) AS VARCHAR) AS tok_${i}, ` +
        `CAST(SUM(CASE WHEN start_time >= $${i + 2} THEN cost_nanos ELSE 0 END) AS VARCHAR) AS cost_${i}`,
    )
    .join(', ');
  const rows = await r.query(
    `SELECT key_id, team, app${cols ? `, ${cols}` : ''} FROM usage_events WHERE start_time >= $1
     GROUP BY key_id, team, app`,
    [from, ...cutoffs],
  );
  const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return rows.map((row) => ({
    keyId: s(row['key_id']),
    team: s(row['team']),
    app: s(row['app']),
    tokens: cutoffs.map((_, i) => BigInt(String(row[`tok_${i}`] ?? '0'))),
    costNanos: cutoffs.map((_, i) => BigInt(String(row[`cost_${i}`] ?? '0'))),
  }));
}

/** Daily tokens of successful non-provisioned requests whose id starts with `idPrefix`. */
export async function tokensByDay(r: SqlRunner, w: Window, idPrefix: string): Promise<TokenDayRow[]> {
  const day = r.dialect.dayText('start_time');
  const rows = await r.query(
    `SELECT ${day} AS day, upstream AS account, model, deployment_type AS type,
       CAST(sum(input_tokens - cached_input_tokens) AS VARCHAR) AS uncached,
       CAST(sum(cached_input_tokens) AS VARCHAR) AS cached, CAST(sum(output_tokens) AS VARCHAR) AS output
     FROM usage_events
     WHERE starts_with(id, $3) AND http_status < 400 AND deployment_type <> 'provisioned'
       AND start_time >= $1 AND start_time < $2
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    [w.from, w.to, idPrefix],
  );
  return rows.map((row) => ({
    day: String(row['day']),
    account: String(row['account']),
    model: String(row['model']),
    type: String(row['type']),
    uncached: BigInt(String(row['uncached'])),
    cached: BigInt(String(row['cached'])),
    output: BigInt(String(row['output'])),
  }));
}
