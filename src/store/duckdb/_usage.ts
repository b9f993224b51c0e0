/** Usage-ledger SQL for DuckDB: the bulk append (appender + staging, dedup on id) and aggregation. */
import { open } from 'node:fs/promises';
import { timestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import type { UsageEvent } from '../usage-event.js';
import { TAG_DIMENSION_RE, type UsageAggregate, type UsageQuery, type UsageDimension } from '../store.js';
import { USAGE_DIMENSIONS } from '../store.js';
import { TallyError } from '../../core/index.js';

const str = (a: { appendVarchar(s: string): void; appendNull(): void }, s: string | null) =>
  s === null ? a.appendNull() : a.appendVarchar(s);

/** Appends events into the staging table, then moves the new ones into usage_events. Returns how many were new. */
export async function appendUsageEvents(
  conn: DuckDBConnection,
  events: readonly UsageEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS usage_staging AS SELECT * FROM usage_events LIMIT 0');
  const a = await conn.createAppender('usage_staging', 'main', 'temp');
  for (const e of events) {
    a.appendVarchar(e.id);
    a.appendTimestampTZ(timestampTZValue(BigInt(Math.round(e.startTime * 1000))));
    a.appendInteger(Math.round(e.durationMs));
    if (e.ttftMs === null) a.appendNull();
    else a.appendInteger(Math.round(e.ttftMs));
    str(a, e.keyId);
    str(a, e.team);
    str(a, e.app);
    str(a, e.environment);
    str(a, e.costCenter);
    str(a, e.endUser);
    a.appendVarchar(JSON.stringify(e.tags ?? {}));
    a.appendVarchar(e.provider);
    str(a, e.upstream);
    str(a, e.deployment);
    a.appendVarchar(e.requestModel);
    a.appendVarchar(e.model);
    a.appendVarchar(e.deploymentType);
    str(a, e.region);
    a.appendVarchar(e.operation);
    a.appendBoolean(e.streamed);
    a.appendBigInt(BigInt(e.inputTokens));
    a.appendBigInt(BigInt(e.cachedInputTokens));
    a.appendBigInt(BigInt(e.outputTokens));
    a.appendBigInt(BigInt(e.reasoningTokens));
    a.appendVarchar(e.usageSource);
    a.appendSmallInt(e.httpStatus);
    str(a, e.errorClass);
    a.appendVarchar(e.cacheOutcome);
    a.appendSmallInt(e.attempts);
    a.appendBigInt(e.costNanos);
    a.appendBigInt(e.listCostNanos);
    a.appendBigInt(e.savedCostNanos);
    str(a, e.priceVersion);
    a.endRow();
  }
  a.closeSync();
  // Duplicates within the batch are collapsed too (replayed logs may repeat an event).
  const r = await conn.run(insertNewFrom('usage_staging'));
  // Drop, not DELETE: a temp table keeps deleted rows in memory, so DELETE grew the process by every event ever appended.
  await conn.run('DROP TABLE usage_staging');
  return Number(r.rowsChanged);
}

/**
 * INSERT of the rows of `source` whose id is not stored yet (nor repeated within the source). The anti-join
 * only scans stored rows inside the source's start_time range, which zone maps prune to a few row groups.
 */
function insertNewFrom(source: string): string {
  return `INSERT INTO usage_events
    WITH src AS (SELECT * FROM ${source} QUALIFY row_number() OVER (PARTITION BY id) = 1),
         bounds AS (SELECT min(start_time) AS lo, max(start_time) AS hi FROM src)
    SELECT src.* FROM src
    WHERE NOT EXISTS (
      SELECT 1 FROM usage_events u, bounds
      WHERE u.start_time BETWEEN bounds.lo AND bounds.hi AND u.id = src.id AND u.start_time = src.start_time)`;
}

/** JSON columns of a WAL line (see ledger/_wal.ts encodeEvent) as DuckDB types. */
const WAL_COLUMNS = `{id:'VARCHAR',startTime:'DOUBLE',durationMs:'DOUBLE',ttftMs:'DOUBLE',keyId:'VARCHAR',team:'VARCHAR',
app:'VARCHAR',environment:'VARCHAR',costCenter:'VARCHAR',endUser:'VARCHAR',tags:'JSON',provider:'VARCHAR',
upstream:'VARCHAR',deployment:'VARCHAR',requestModel:'VARCHAR',model:'VARCHAR',deploymentType:'VARCHAR',
region:'VARCHAR',operation:'VARCHAR',streamed:'BOOLEAN',inputTokens:'BIGINT',cachedInputTokens:'BIGINT',
outputTokens:'BIGINT',reasoningTokens:'BIGINT',usageSource:'VARCHAR',httpStatus:'SMALLINT',errorClass:'VARCHAR',
cacheOutcome:'VARCHAR',attempts:'SMALLINT',costNanos:'BIGINT',listCostNanos:'BIGINT',savedCostNanos:'BIGINT',
priceVersion:'VARCHAR'}`;

/**
 * Loads ledger WAL segments (JSON lines) straight into usage_events with DuckDB's own reader: no per-event
 * JavaScript work, which is what lets the ledger flush at 100k+ events/s. A torn last line (a crash mid-write:
 * no trailing newline) is skipped; any other line DuckDB cannot read fails the load, so the segments stay on
 * disk and nothing is dropped silently. One statement (no temp table, no window function): at 1,000 events a
 * flush took 42-54 ms of CPU as CREATE + INSERT ... NOT EXISTS + DROP with a row_number() dedup, and 32-34 ms
 * like this (bench/ledger-flush.ts, docs/benchmarks.md 2026-12-02).
 */
export async function appendUsageFromWal(conn: DuckDBConnection, paths: readonly string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const torn = await tornTails(paths);
  const list = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  // The anti-join reads stored rows only inside the batch's start_time range (zone maps prune the rest).
  // ignore_errors turns each unreadable line into a row of NULLs: the guard counts them and, beyond the torn
  // tails a crash may leave, fails the whole statement (DuckDB's error()), so nothing is appended.
  let r;
  try {
    r = await conn.run(`INSERT INTO usage_events
    WITH raw AS MATERIALIZED (
      SELECT id, make_timestamp(CAST(round(startTime * 1000) AS BIGINT))::TIMESTAMPTZ AS start_time,
        CAST(round(durationMs) AS INTEGER) AS duration_ms, CAST(round(ttftMs) AS INTEGER) AS ttft_ms,
        keyId, team, app, environment, costCenter, endUser, coalesce(tags, '{}') AS tags, provider, upstream,
        deployment, requestModel, model, deploymentType, region, operation, streamed, inputTokens,
        cachedInputTokens, outputTokens, reasoningTokens, usageSource, httpStatus, errorClass, cacheOutcome,
        attempts, costNanos, listCostNanos, savedCostNanos, priceVersion
      FROM read_json([${list}], format = 'newline_delimited', columns = ${WAL_COLUMNS}, ignore_errors = true)),
    guard AS (SELECT CASE WHEN count(*) > ${torn} THEN error('unreadable ledger lines: ' || (count(*) - ${torn}))
      ELSE 1 END AS ok FROM raw WHERE id IS NULL OR start_time IS NULL),
    src AS MATERIALIZED (SELECT DISTINCT ON (id) raw.* FROM raw, guard
      WHERE guard.ok = 1 AND id IS NOT NULL AND start_time IS NOT NULL)
    SELECT src.* FROM src ANTI JOIN (
      SELECT id, start_time FROM usage_events
      WHERE start_time BETWEEN (SELECT min(start_time) FROM src) AND (SELECT max(start_time) FROM src)) u
    ON u.id = src.id AND u.start_time = src.start_time`);
  } catch (err) {
    const m = /unreadable ledger lines: (\d+)/.exec((err as Error).message);
    if (!m) throw err;
    throw new TallyError(
      'io_error',
      `ledger flush: ${m[1]} complete line(s) of ${paths.join(', ')} could not be loaded; ` +
        'the segments are kept and nothing was appended',
      { paths: [...paths] },
    );
  }
  return Number(r.rowsChanged);
}

/** How many of the files end in a torn line (no final newline): the one unreadable line a crash may leave. */
async function tornTails(paths: readonly string[]): Promise<number> {
  let n = 0;
  for (const p of paths) {
    const fh = await open(p, 'r');
    try {
      const { size } = await fh.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await fh.read(last, 0, 1, size - 1);
      if (size > 0 && last[0] !== 0x0a) n++;
    } finally {
      await fh.close();
    }
  }
  return n;
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
  day: "strftime(start_time AT TIME ZONE 'UTC', '%Y-%m-%d')",
  hour: "strftime(start_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:00:00Z')",
};

/** Builds the aggregation SQL (dimensions come from a closed list; values are bound parameters). */
export function aggregateUsageSql(q: UsageQuery): { sql: string; params: (string | Date)[] } {
  for (const d of q.by)
    if (!USAGE_DIMENSIONS.includes(d as UsageDimension) && !TAG_DIMENSION_RE.test(d))
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
  const dims = q.by.map((d, i) => {
    if (!d.startsWith('tag:')) return `${dimSql[d as UsageDimension]} AS d${i}`;
    params.push(`$."${d.slice(4)}"`);
    return `json_extract_string(tags, $${params.length}) AS d${i}`;
  });
  const group = q.by.length ? `GROUP BY ${q.by.map((_, i) => `d${i}`).join(', ')}` : '';
  const order = q.by.length ? `ORDER BY cost DESC, ${q.by.map((_, i) => `d${i}`).join(', ')}` : '';
  const sql = `SELECT ${[...dims, ''].join(', ')}
    count(*) AS requests,
    sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
    sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
    sum(cost_nanos)::HUGEINT AS cost, sum(list_cost_nanos)::HUGEINT AS list_cost, sum(saved_cost_nanos)::HUGEINT AS saved_cost,
    count(*) FILTER (WHERE http_status >= 400) AS errors,
    count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
    avg(duration_ms) AS avg_duration_ms
    FROM usage_events WHERE ${where.join(' AND ')} ${group} ${order}`;
  return { sql, params };
}

/** Maps one aggregation result row (raw DuckDB values) to a UsageAggregate. */
export function toUsageAggregate(q: UsageQuery, r: Record<string, unknown>): UsageAggregate {
  const dims: Record<string, string | null> = {};
  q.by.forEach((d, i) => {
    const v = r[`d${i}`];
    dims[d] = v === null || v === undefined ? null : String(v);
  });
  const num = (k: string) => Number((r[k] as bigint | number | null) ?? 0);
  const big = (k: string) => BigInt((r[k] as bigint | number | null) ?? 0);
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
