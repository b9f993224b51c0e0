/**
 * The usage-ledger append for PostgreSQL. The common case, a batch of events the table has never seen, is one
 * COPY straight into usage_events under a savepoint; when any id is already there (a replayed WAL, a retried
 * flush, a repeat inside the batch) the COPY fails on the primary key, the savepoint is rolled back and the batch
 * goes the exact slow way: COPY into a session-local staging table, then INSERT ... ON CONFLICT (id) DO NOTHING.
 * Either way a batch stores each new event once. Reads are SqlStore's portable SQL.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { USAGE_COLUMN_NAMES, type UsageEvent } from '../usage-event.js';
import { copyBinaryChunks } from './_copy-binary.js';
import { ROLLUP_DIMS, ROLLUP_METRICS, dailyRollup, type DailyRollupRow } from '../daily-rollup.js';

const COLUMNS = USAGE_COLUMN_NAMES.join(', ');
/** The transaction-local setting by which a flush tells the rollup trigger it adds the rows itself. */
const BY_FLUSH = 'tally.rollup_by_flush';
/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';
/**
 * COPY data is sent in chunks of this many bytes (~250 events), so that PostgreSQL inserts one chunk while Node
 * encodes the next: on two cores the flush costs about max(Node, server) per event, not the sum.
 */
const CHUNK_BYTES = 64 * 1024;

async function copyInto(client: pg.PoolClient | pg.Client, table: string, events: readonly UsageEvent[]) {
  // Binary: the server parses no text (ADR 0034).
  const copy = client.query(copyStreams.from(`COPY ${table} (${COLUMNS}) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from(copyBinaryChunks(events, CHUNK_BYTES)), copy);
}

/**
 * Appends events on `client`, which must be inside a transaction. Returns how many were new (duplicates within
 * the batch count once).
 */
export async function copyUsageEvents(client: pg.PoolClient | pg.Client, events: readonly UsageEvent[]) {
  if (events.length === 0) return 0;
  // Fast path. A rolled-back COPY leaves dead rows to vacuum, which only replays and retries pay. The COPY's
  // rollup trigger steps aside (migration 935): every event is new, so the batch's rollup rows are summed here
  // and upserted in the same transaction. The setting is local to the savepoint: a rolled-back COPY undoes it.
  await client.query(`SAVEPOINT usage_copy; SELECT set_config('${BY_FLUSH}', 'on', true)`);
  try {
    await copyInto(client, 'usage_events', events);
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await client.query('ROLLBACK TO SAVEPOINT usage_copy');
    return copyThroughStaging(client, events);
  }
  await client.query(`RELEASE SAVEPOINT usage_copy; SELECT set_config('${BY_FLUSH}', 'off', true)`);
  await addRollup(client, dailyRollup(events));
  return events.length;
}

/** The rollup rows' upsert: unnest of one array per column, added to the rows already there. */
const ROLLUP_UPSERT = `INSERT INTO usage_daily (day, ${ROLLUP_DIMS.join(', ')}, ${ROLLUP_METRICS.join(', ')})
  SELECT * FROM unnest($1::date[], ${ROLLUP_DIMS.map((_, i) => `$${i + 2}::text[]`).join(', ')},
    ${ROLLUP_METRICS.map((_, i) => `$${i + 2 + ROLLUP_DIMS.length}::numeric[]`).join(', ')})
  ON CONFLICT (day, ${ROLLUP_DIMS.join(', ')}) DO UPDATE SET
    ${ROLLUP_METRICS.map((m) => `${m} = usage_daily.${m} + EXCLUDED.${m}`).join(', ')}`;

async function addRollup(client: pg.PoolClient | pg.Client, rows: readonly DailyRollupRow[]) {
  const params: unknown[] = [rows.map((r) => r.day)];
  ROLLUP_DIMS.forEach((_, i) => params.push(rows.map((r) => r.dims[i])));
  ROLLUP_METRICS.forEach((_, i) => params.push(rows.map((r) => r.sums[i]!.toString())));
  await client.query(ROLLUP_UPSERT, params);
}

/** The exact slow way for a batch holding ids the table has: staging, then ON CONFLICT DO NOTHING. */
async function copyThroughStaging(client: pg.PoolClient | pg.Client, events: readonly UsageEvent[]) {
  // A temporary table is per session and its rows are never WAL-logged; ON COMMIT DELETE ROWS empties it.
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS usage_staging (LIKE usage_events) ON COMMIT DELETE ROWS',
  );
  await copyInto(client, 'usage_staging', events);
  // ON CONFLICT DO NOTHING also skips a repeat within the batch (the second copy meets the first's index entry),
  // so no DISTINCT ON sort is needed.
  const r = await client.query(
    'INSERT INTO usage_events SELECT * FROM usage_staging ON CONFLICT (id) DO NOTHING',
  );
  // Inside a caller's transaction the commit may be far away: empty the staging table now.
  await client.query('TRUNCATE usage_staging');
  return r.rowCount ?? 0;
}
