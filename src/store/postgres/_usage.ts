/**
 * Usage-ledger SQL for PostgreSQL: the bulk append (COPY into a session-local staging table, then one
 * INSERT ... ON CONFLICT (id) DO NOTHING, so a replayed WAL or a retried flush changes nothing) and aggregation.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { UsageEvent } from '../usage-event.js';
import type { UsageAggregate, UsageDimension, UsageQuery } from '../store.js';
import { USAGE_DIMENSIONS } from '../store.js';
import { TallyError } from '../../core/index.js';

/** usage_events columns in table order (the COPY column list and the staging table's shape). */
export const USAGE_COLUMNS = [
  'id',
  'start_time',
  'duration_ms',
  'ttft_ms',
  'key_id',
  'team',
  'app',
  'environment',
  'cost_center',
  'end_user',
  'tags',
  'provider',
  'upstream',
  'deployment',
  'request_model',
  'model',
  'deployment_type',
  'region',
  'operation',
  'streamed',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'usage_source',
  'http_status',
  'error_class',
  'cache_outcome',
  'attempts',
  'cost_nanos',
  'list_cost_nanos',
  'saved_cost_nanos',
  'price_version',
] as const;

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N. */
function text(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/** Epoch milliseconds (possibly fractional) as an ISO timestamp with microseconds, like DuckDB stores it. */
export function isoMicros(ms: number): string {
  const micros = Math.round(ms * 1000);
  const whole = Math.floor(micros / 1000);
  const rest = micros - whole * 1000;
  return new Date(whole).toISOString().replace('Z', `${String(rest).padStart(3, '0')}Z`);
}

const int = (n: number | null) => (n === null ? '\\N' : String(Math.round(n)));

/** One event as a COPY text line. */
function copyLine(e: UsageEvent): string {
  return [
    text(e.id),
    isoMicros(e.startTime),
    int(e.durationMs),
    int(e.ttftMs),
    text(e.keyId),
    text(e.team),
    text(e.app),
    text(e.environment),
    text(e.costCenter),
    text(e.endUser),
    text(JSON.stringify(e.tags ?? {})),
    text(e.provider),
    text(e.upstream),
    text(e.deployment),
    text(e.requestModel),
    text(e.model),
    text(e.deploymentType),
    text(e.region),
    text(e.operation),
    e.streamed ? 't' : 'f',
    int(e.inputTokens),
    int(e.cachedInputTokens),
    int(e.outputTokens),
    int(e.reasoningTokens),
    text(e.usageSource),
    int(e.httpStatus),
    text(e.errorClass),
    text(e.cacheOutcome),
    int(e.attempts),
    e.costNanos.toString(),
    e.listCostNanos.toString(),
    e.savedCostNanos.toString(),
    text(e.priceVersion),
  ].join('\t');
}

/** Lines of COPY text in chunks of ~1 MB, so 100k events are not one giant string. */
function* copyChunks(events: readonly UsageEvent[]): Generator<string> {
  let buf: string[] = [];
  let size = 0;
  for (const e of events) {
    const line = copyLine(e);
    buf.push(line);
    size += line.length + 1;
    if (size > 1 << 20) {
      yield `${buf.join('\n')}\n`;
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield `${buf.join('\n')}\n`;
}

/**
 * Appends events on `client`, which must be inside a transaction: COPY into the session's staging table, then
 * move the rows whose id is new. Returns how many were new (duplicates within the batch count once).
 */
export async function copyUsageEvents(client: pg.PoolClient | pg.Client, events: readonly UsageEvent[]) {
  if (events.length === 0) return 0;
  // A temporary table is per session and its rows are never WAL-logged; ON COMMIT DELETE ROWS empties it.
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS usage_staging (LIKE usage_events) ON COMMIT DELETE ROWS',
  );
  const copy = client.query(copyStreams.from(`COPY usage_staging (${USAGE_COLUMNS.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(events)), copy);
  const r = await client.query(
    'INSERT INTO usage_events SELECT DISTINCT ON (id) * FROM usage_staging ON CONFLICT (id) DO NOTHING',
  );
  // Inside a caller's transaction the commit may be far away: empty the staging table now.
  await client.query('TRUNCATE usage_staging');
  return r.rowCount ?? 0;
}

const dimSql: Record<UsageDimension, string> = {
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
  day: "to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  hour: 'to_char(start_time AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:00:00"Z"\')',
};

/** Builds the aggregation SQL (dimensions come from a closed list; values are bound parameters). */
export function aggregateUsageSql(q: UsageQuery): { sql: string; params: (string | Date)[] } {
  for (const d of q.by)
    if (!USAGE_DIMENSIONS.includes(d))
      throw new TallyError(
        'invalid_input',
        `unknown usage dimension "${d}"; use one of ${USAGE_DIMENSIONS.join(', ')}`,
      );
  const params: (string | Date)[] = [q.from, q.to];
  const where = ['start_time >= $1', 'start_time < $2'];
  for (const [k, v] of Object.entries(q.where ?? {})) {
    if (v === undefined) continue;
    const col = dimSql[k as UsageDimension];
    if (!col) throw new TallyError('invalid_input', `unknown usage filter "${k}"`);
    params.push(v);
    where.push(`${col} = $${params.length}`);
  }
  const dims = q.by.map((d, i) => `${dimSql[d]} AS d${i}`);
  const group = q.by.length ? `GROUP BY ${q.by.map((_, i) => i + 1).join(', ')}` : '';
  // Same order as DuckDB's: cost descending, then the dimensions byte-wise (the database's collation may be a
  // locale's), NULLs last in both.
  const order = q.by.length
    ? `ORDER BY sum(cost_nanos) DESC, ${q.by.map((d) => `${dimSql[d]} COLLATE "C" NULLS LAST`).join(', ')}`
    : '';
  const sql = `SELECT ${[...dims, ''].join(', ')}
    count(*) AS requests,
    sum(input_tokens)::text AS input_tokens, sum(cached_input_tokens)::text AS cached_input_tokens,
    sum(output_tokens)::text AS output_tokens, sum(reasoning_tokens)::text AS reasoning_tokens,
    coalesce(sum(cost_nanos), 0)::text AS cost, coalesce(sum(list_cost_nanos), 0)::text AS list_cost,
    coalesce(sum(saved_cost_nanos), 0)::text AS saved_cost,
    count(*) FILTER (WHERE http_status >= 400) AS errors,
    count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
    avg(duration_ms)::float8 AS avg_duration_ms
    FROM usage_events WHERE ${where.join(' AND ')} ${group} ${order}`;
  return { sql, params };
}

/** Maps one aggregation result row to a UsageAggregate. */
export function toUsageAggregate(q: UsageQuery, r: Record<string, unknown>): UsageAggregate {
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
