/**
 * `loadCostRows` for PostgreSQL: the cost-rows file (store/reports.ts `CostRowsFile`, CSV) goes by COPY into a
 * session-temporary staging table typed like cost_rows (not WAL-logged; every value is parsed there, so a bad
 * one fails before cost_rows is touched), then the ingest's earlier rows, if any, are replaced in one
 * transaction: a retried load changes nothing.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { TallyError } from '../../core/index.js';
import { COST_ROW_FILE_COLUMNS } from '../focus-columns.js';
import type { CostRowsFile } from '../reports.js';

/** Replaces the rows of `file.ingestId` with the file's rows, on `client` (inside a transaction). */
export async function copyCostRows(client: pg.PoolClient | pg.Client, file: CostRowsFile): Promise<number> {
  if (file.format !== 'csv')
    throw new TallyError('internal', `PostgreSQL loads cost-rows files as CSV, not ${file.format}`);
  await client.query('CREATE TEMP TABLE IF NOT EXISTS cost_staging (LIKE cost_rows) ON COMMIT DELETE ROWS');
  const cols = COST_ROW_FILE_COLUMNS.map((n) => `"${n}"`).join(', ');
  const copy = client.query(
    copyStreams.from(`COPY cost_staging (${cols}) FROM STDIN (FORMAT csv, NULL '\\N', ENCODING 'UTF8')`),
  );
  await pipeline(createReadStream(file.path), copy);
  const copied = Number(copy.rowCount ?? 0);
  await client.query('DELETE FROM cost_rows WHERE _ingest_id = $1', [file.ingestId]);
  const r = await client.query(
    `INSERT INTO cost_rows (${cols}) SELECT ${cols} FROM cost_staging WHERE _ingest_id = $1`,
    [file.ingestId],
  );
  await client.query('TRUNCATE cost_staging');
  if ((r.rowCount ?? 0) !== copied)
    throw new TallyError(
      'internal',
      `cost-rows file ${file.path} holds rows of another ingest than ${file.ingestId}`,
    );
  return copied;
}
