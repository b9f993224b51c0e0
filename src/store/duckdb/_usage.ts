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
 * Moves the rows of temp table `table` into usage_events and adds them to the daily rollup (the caller's
 * transaction holds both). Returns how many.
 */
async function storeNewRows(conn: DuckDBConnection, table = 'usage_new'): Promise<number> {
  const r = await conn.run(`INSERT INTO usage_events SELECT * FROM ${table}`);
  if (Number(r.rowsChanged) > 0) await addToRollup(conn, table);
  await conn.run(`DROP TABLE ${table}`);
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
 * What a flush's rows need before they can be stored: unreadable lines (all-NULL rows from read_json's
 * ignore_errors), ids repeated within the batch, and rows usage_events already holds (the anti-join reads stored
 * rows only inside the batch's start_time range, which zone maps prune to a few row groups). Narrow on purpose:
 * it only touches id and start_time, so DuckDB plans it in a fraction of the one wide statement it replaces.
 */
const WAL_CHECK = `WITH b AS (SELECT min(start_time) AS lo, max(start_time) AS hi FROM usage_wal)
  SELECT count(*) FILTER (WHERE id IS NULL OR start_time IS NULL) AS bad,
    count(id) - count(DISTINCT id) AS repeats,
    (SELECT count(*) FROM usage_wal n SEMI JOIN (
      SELECT id, start_time FROM usage_events, b WHERE start_time BETWEEN b.lo AND b.hi) u
      ON u.id = n.id AND u.start_time = n.start_time) AS stored
  FROM usage_wal`;

/**
 * Loads ledger WAL segments (JSON lines) straight into usage_events with DuckDB's own reader: no per-event
 * JavaScript work, which is what lets the ledger flush at 100k+ events/s. A torn last line (a crash mid-write:
 * no trailing newline) is skipped; any other line DuckDB cannot read fails the load, so the segments stay on
 * disk and nothing is dropped silently. Call inside a transaction.
 *
 * Most of a small flush's CPU was DuckDB planning statements, not running them (ADR 0052), so the common case
 * runs few and simple ones: the lines into a temp table as read, one narrow check, and when the batch is all
 * readable, new and without repeats (a live flush) the rows go as they are into usage_events and the daily
 * rollup (ADR 0034). Otherwise (a replay, a repeat, a torn tail) the exact way: each id once, none stored twice.
 */
export async function appendUsageFromWal(conn: DuckDBConnection, paths: readonly string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const list = paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ');
  // ignore_errors turns each unreadable line into a row of NULLs, which the check counts.
  await conn.run(`CREATE OR REPLACE TEMP TABLE usage_wal AS SELECT ${WAL_SELECT}
    FROM read_json([${list}], format = 'newline_delimited', columns = ${WAL_COLUMNS}, ignore_errors = true)`);
  const [check] = (await conn.runAndReadAll(WAL_CHECK)).getRows();
  const [bad, repeats, stored] = (check ?? []).map(Number);
  if (bad === undefined || repeats === undefined || stored === undefined)
    throw new TallyError('internal', 'ledger flush: the WAL check returned no row');
  // Only a batch with unreadable lines looks at the files' last bytes (a live batch never has one).
  const torn = bad > 0 ? await tornTails(paths) : 0;
  if (bad > torn) {
    await conn.run('DROP TABLE usage_wal');
    throw new TallyError(
      'io_error',
      `ledger flush: ${bad - torn} complete line(s) of ${paths.join(', ')} could not be loaded; ` +
        'the segments are kept and nothing was appended',
      { paths: [...paths] },
    );
  }
  if (bad === 0 && repeats === 0 && stored === 0) return storeNewRows(conn, 'usage_wal');
  const readable = '(SELECT * FROM usage_wal WHERE id IS NOT NULL AND start_time IS NOT NULL)';
  await conn.run(`CREATE OR REPLACE TEMP TABLE usage_new AS ${newRowsOf(readable)}`);
  await conn.run('DROP TABLE usage_wal');
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
