/** Usage-ledger writes for DuckDB: the bulk append (appender + staging, dedup on id) and the WAL file loader. */
import { open } from 'node:fs/promises';
import { timestampTZValue, type DuckDBConnection } from '@duckdb/node-api';
import { USAGE_COLUMNS, type UsageColumnType, type UsageEvent } from '../usage-event.js';
import { TallyError } from '../../core/index.js';
import { addToRollup } from './_rollup.js';

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;
/** How each logical usage type goes into DuckDB's positional appender (a null stays null). */
const APPEND: Record<UsageColumnType, (a: Appender, v: never) => void> = {
  text: (a, v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v)),
  epochMs: (a, v: number) => a.appendTimestampTZ(timestampTZValue(BigInt(Math.round(v * 1000)))),
  int32: (a, v: number | null) => (v === null ? a.appendNull() : a.appendInteger(Math.round(v))),
  int16: (a, v: number | null) => (v === null ? a.appendNull() : a.appendSmallInt(v)),
  int64: (a, v: number | null) => (v === null ? a.appendNull() : a.appendBigInt(BigInt(v))),
  bool: (a, v: boolean | null) => (v === null ? a.appendNull() : a.appendBoolean(v)),
  nanos: (a, v: bigint | null) => (v === null ? a.appendNull() : a.appendBigInt(v)),
  json: (a, v: unknown) => a.appendVarchar(JSON.stringify(v ?? {})),
};

/**
 * Appends events into the staging table, then moves the new ones into usage_events and the daily rollup (call
 * inside a transaction). Returns how many were new.
 */
export async function appendUsageEvents(
  conn: DuckDBConnection,
  events: readonly UsageEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS usage_staging AS SELECT * FROM usage_events LIMIT 0');
  const a = await conn.createAppender('usage_staging', 'main', 'temp');
  for (const e of events) {
    for (const c of USAGE_COLUMNS) APPEND[c.type](a, e[c.field] as never);
    a.endRow();
  }
  a.closeSync();
  // Duplicates within the batch are collapsed too (replayed logs may repeat an event).
  await conn.run(`CREATE OR REPLACE TEMP TABLE usage_new AS ${newRowsOf('usage_staging')}`);
  // Drop, not DELETE: a temp table keeps deleted rows in memory, so DELETE grew the process by every event ever appended.
  await conn.run('DROP TABLE usage_staging');
  return storeNewRows(conn);
}

/**
 * Moves the rows of temp table usage_new into usage_events and adds them to the daily rollup (the caller's
 * transaction holds both). Returns how many.
 */
async function storeNewRows(conn: DuckDBConnection): Promise<number> {
  const r = await conn.run('INSERT INTO usage_events SELECT * FROM usage_new');
  if (Number(r.rowsChanged) > 0) await addToRollup(conn, 'usage_new');
  await conn.run('DROP TABLE usage_new');
  return Number(r.rowsChanged);
}

/**
 * The rows of `source` whose id is not stored yet (nor repeated within the source). The anti-join only scans
 * stored rows inside the source's start_time range, which zone maps prune to a few row groups.
 */
function newRowsOf(source: string): string {
  return `WITH src AS (SELECT * FROM ${source} QUALIFY row_number() OVER (PARTITION BY id) = 1),
         bounds AS (SELECT min(start_time) AS lo, max(start_time) AS hi FROM src)
    SELECT src.* FROM src
    WHERE NOT EXISTS (
      SELECT 1 FROM usage_events u, bounds
      WHERE u.start_time BETWEEN bounds.lo AND bounds.hi AND u.id = src.id AND u.start_time = src.start_time)`;
}

/** How each logical type is read from a WAL line (see ledger/_wal.ts) by read_json, and cast to its column. */
const WAL_READ: Record<UsageColumnType, { json: string; expr: (f: string) => string }> = {
  text: { json: 'VARCHAR', expr: (f) => f },
  // Epoch milliseconds (fractions allowed) to a microsecond TIMESTAMPTZ.
  epochMs: { json: 'DOUBLE', expr: (f) => `make_timestamp(CAST(round(${f} * 1000) AS BIGINT))::TIMESTAMPTZ` },
  int32: { json: 'DOUBLE', expr: (f) => `CAST(round(${f}) AS INTEGER)` },
  int16: { json: 'SMALLINT', expr: (f) => f },
  int64: { json: 'BIGINT', expr: (f) => f },
  bool: { json: 'BOOLEAN', expr: (f) => f },
  nanos: { json: 'BIGINT', expr: (f) => f },
  json: { json: 'JSON', expr: (f) => `coalesce(${f}, '{}')` },
};
/** The WAL line's keys as DuckDB types, for read_json's `columns`. */
const WAL_COLUMNS = `{${USAGE_COLUMNS.map((c) => `${c.field}:'${WAL_READ[c.type].json}'`).join(', ')}}`;
/** The WAL line's values as usage_events columns, in table order. */
const WAL_SELECT = USAGE_COLUMNS.map((c) => `${WAL_READ[c.type].expr(`"${c.field}"`)} AS ${c.name}`).join(
  ', ',
);

/**
 * Loads ledger WAL segments (JSON lines) straight into usage_events with DuckDB's own reader: no per-event
 * JavaScript work, which is what lets the ledger flush at 100k+ events/s. A torn last line (a crash mid-write:
 * no trailing newline) is skipped; any other line DuckDB cannot read fails the load, so the segments stay on
 * disk and nothing is dropped silently. One read (no window function: at 1,000 events a flush took 42-54 ms of
 * CPU with a row_number() dedup, 32-34 ms without; bench/ledger-flush.ts) into a temp table of the new rows,
 * which go into usage_events and the daily rollup (ADR 0034); call inside a transaction.
 */
export async function appendUsageFromWal(conn: DuckDBConnection, paths: readonly string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const torn = await tornTails(paths);
  const list = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  // The anti-join reads stored rows only inside the batch's start_time range (zone maps prune the rest).
  // ignore_errors turns each unreadable line into a row of NULLs: the guard counts them and, beyond the torn
  // tails a crash may leave, fails the whole statement (DuckDB's error()), so nothing is appended.
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE usage_new AS
    WITH raw AS MATERIALIZED (
      SELECT ${WAL_SELECT}
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
  return storeNewRows(conn);
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
