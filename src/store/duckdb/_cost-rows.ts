/**
 * `loadCostRows` for DuckDB: the cost-rows file (store/reports.ts `CostRowsFile`) is read by DuckDB's own
 * Parquet reader, or its CSV reader with every column's type given, straight into cost_rows; a value that does
 * not parse fails the load.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TallyError } from '../../core/index.js';
import { COST_ROW_FILE_COLUMNS, FOCUS_COLUMNS } from '../focus-columns.js';
import type { CostRowsFile } from '../reports.js';
import { FOCUS_PHYSICAL } from './_migrations.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Each file column's type as the reader parses it (JSON columns as text: the insert checks them). */
const READ_TYPES: Record<string, string> = {
  _row_id: 'VARCHAR',
  _source_file: 'VARCHAR',
  _source_line: 'BIGINT',
  _slice_key: 'VARCHAR',
  _ingest_id: 'VARCHAR',
  ...Object.fromEntries(
    FOCUS_COLUMNS.map((c) => [c.name, c.type === 'json' ? 'VARCHAR' : FOCUS_PHYSICAL[c.type]]),
  ),
};

/** Replaces the rows of `file.ingestId` with the file's rows, on `c` (inside the caller's transaction). */
export async function loadCostRowsFile(c: DuckDBConnection, file: CostRowsFile): Promise<number> {
  const cols = COST_ROW_FILE_COLUMNS.map((n) => `"${n}"`).join(', ');
  const types = COST_ROW_FILE_COLUMNS.map((n) => `${lit(n)}: ${lit(READ_TYPES[n]!)}`).join(', ');
  await c.run('DELETE FROM cost_rows WHERE _ingest_id = $1', [file.ingestId]);
  // Parquet from ingest's file engine carries DuckDB's own types; CSV is parsed with every type given.
  const from =
    file.format === 'parquet'
      ? `read_parquet(${lit(file.path)})`
      : `read_csv(${lit(file.path)}, header = false,
      auto_detect = false, delim = ',', quote = '"', escape = '"', nullstr = '\\N', allow_quoted_nulls = false,
      compression = 'none', encoding = 'utf-8', max_line_size = 100000000, columns = {${types}})`;
  const inserted = await c.run(`INSERT INTO cost_rows (${cols}) SELECT ${cols} FROM ${from}`);
  const n = inserted.rowsChanged;
  const own = await c.runAndReadAll('SELECT count(*) FROM cost_rows WHERE _ingest_id = $1', [file.ingestId]);
  if (Number(own.getRows()[0]?.[0] ?? 0) !== n)
    throw new TallyError(
      'internal',
      `cost-rows file ${file.path} holds rows of another ingest than ${file.ingestId}`,
    );
  return n;
}
