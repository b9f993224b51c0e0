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
import { copyChunks } from './_copy-text.js';

const COLUMNS = USAGE_COLUMN_NAMES.join(', ');
/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';
/**
 * COPY text is sent in chunks of this many characters (~250 events), so that PostgreSQL parses and inserts one
 * chunk while Node encodes the next: on two cores the flush costs about max(Node, server) per event, not the sum.
 */
const CHUNK_CHARS = 64 * 1024;

async function copyInto(client: pg.PoolClient | pg.Client, table: string, events: readonly UsageEvent[]) {
  const copy = client.query(copyStreams.from(`COPY ${table} (${COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(events, CHUNK_CHARS)), copy);
}

/**
 * Appends events on `client`, which must be inside a transaction. Returns how many were new (duplicates within
 * the batch count once).
 */
export async function copyUsageEvents(client: pg.PoolClient | pg.Client, events: readonly UsageEvent[]) {
  if (events.length === 0) return 0;
  // Fast path. A rolled-back COPY leaves dead rows to vacuum, which only replays and retries pay.
  await client.query('SAVEPOINT usage_copy');
  try {
    await copyInto(client, 'usage_events', events);
    await client.query('RELEASE SAVEPOINT usage_copy');
    return events.length;
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await client.query('ROLLBACK TO SAVEPOINT usage_copy');
  }
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
