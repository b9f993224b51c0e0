/**
 * The usage-ledger append for PostgreSQL: COPY into a session-local staging table, then one INSERT ... ON CONFLICT
 * (id) DO NOTHING, so a replayed WAL or a retried flush changes nothing. Reads are SqlStore's portable SQL.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { USAGE_COLUMNS, USAGE_COLUMN_NAMES, type UsageColumnType, type UsageEvent } from '../usage-event.js';

const NULL = '\\N';

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N. */
function text(v: string | null): string {
  if (v === null) return NULL;
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

/** How each logical usage type is written in COPY's text format (a null is \\N). */
const COPY_TEXT: Record<UsageColumnType, (v: never) => string> = {
  text: (v: string | null) => text(v ?? null),
  epochMs: (v: number) => isoMicros(v),
  int32: (v: number | null) => (v == null ? NULL : String(Math.round(v))),
  int16: (v: number | null) => (v == null ? NULL : String(Math.round(v))),
  int64: (v: number | null) => (v == null ? NULL : String(Math.round(v))),
  bool: (v: boolean | null) => (v == null ? NULL : v ? 't' : 'f'),
  nanos: (v: bigint | null) => (v == null ? NULL : v.toString()),
  json: (v: unknown) => text(JSON.stringify(v ?? {})),
};

/** One event as a COPY text line, columns in USAGE_COLUMNS order. */
function copyLine(e: UsageEvent): string {
  return USAGE_COLUMNS.map((c) => COPY_TEXT[c.type](e[c.field] as never)).join('\t');
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
  const copy = client.query(
    copyStreams.from(`COPY usage_staging (${USAGE_COLUMN_NAMES.join(', ')}) FROM STDIN`),
  );
  await pipeline(Readable.from(copyChunks(events)), copy);
  // ON CONFLICT DO NOTHING also skips a repeat within the batch (the second copy meets the first's index entry),
  // so no DISTINCT ON sort is needed.
  const r = await client.query(
    'INSERT INTO usage_events SELECT * FROM usage_staging ON CONFLICT (id) DO NOTHING',
  );
  // Inside a caller's transaction the commit may be far away: empty the staging table now.
  await client.query('TRUNCATE usage_staging');
  return r.rowCount ?? 0;
}
