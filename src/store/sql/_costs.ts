/** Cost-row reads for allocation (rows and alike-row groups) and the demo's source cleanup, in portable SQL. */
import { TallyError } from '../../core/index.js';
import { FOCUS_COLUMNS, FOCUS_COLUMN_NAMES, type FocusColumn } from '../focus-columns.js';
import type { SqlParam } from '../store.js';
import type { CostMatch, CostRowInput, CostRowValues, IngestRecord, Window } from '../reports.js';
import type { Dialect, SqlRunner } from './dialect.js';

// Text forms that keep decimals exact and datetimes in UTC whatever the session time zone is.
const textOf = (d: Dialect, c: FocusColumn) =>
  c.type === 'datetime' ? d.secondText(`"${c.name}"`) : `CAST("${c.name}" AS VARCHAR)`;

/** Rows are AI spend when ingest classified them, or FOCUS files them under AI and Machine Learning. */
const AI_ROW_SQL = `(coalesce("x_AiService", '') NOT IN ('', 'none') OR "x_AiModel" IS NOT NULL
  OR "x_AiDeploymentType" IS NOT NULL OR "ServiceCategory" = 'AI and Machine Learning')`;

function ruleSql(d: Dialect, match: CostMatch, params: SqlParam[]): string {
  const parts = Object.entries(match).map(([col, values]) => {
    let expr: string;
    if (col.startsWith('Tags.') && col.length > 5) expr = d.jsonTextBound('"Tags"', col.slice(5), params);
    else if (FOCUS_COLUMN_NAMES.includes(col)) expr = `CAST("${col}" AS VARCHAR)`;
    else throw new TallyError('invalid_input', `unknown cost column "${col}"`, { column: col });
    const marks = values.map((v) => {
      params.push(v.trim().toLowerCase());
      return `$${params.length}`;
    });
    return `lower(trim(${expr})) IN (${marks.join(', ') || 'NULL'})`;
  });
  return `(${parts.join(' AND ') || 'TRUE'})`;
}

function scopeSql(d: Dialect, w: Window, rules: readonly CostMatch[]): { where: string; params: SqlParam[] } {
  const params: SqlParam[] = [w.from, w.to];
  const scope = [AI_ROW_SQL, ...rules.map((r) => ruleSql(d, r, params))].join(' OR ');
  return { where: `"ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND (${scope})`, params };
}

/** The window's AI cost rows (and any row a rule matches), by ChargePeriodStart, in a stable order. */
export async function costRows(
  r: SqlRunner,
  w: Window,
  rules: readonly CostMatch[],
): Promise<CostRowValues[]> {
  const { where, params } = scopeSql(r.dialect, w, rules);
  // Reading a value costs more than counting a column: read only the columns this window fills (a real export
  // fills about half of them).
  const counts = (
    await r.query(
      `SELECT ${FOCUS_COLUMNS.map((c, i) => `count("${c.name}") AS c${i}`).join(', ')} FROM cost_rows WHERE ${where}`,
      params,
    )
  )[0];
  const used = FOCUS_COLUMNS.filter((_, i) => Number(counts?.[`c${i}`] ?? 0) > 0);
  if (used.length === 0) return [];
  // One JSON text per row (every value already exact text) reads far faster than one value per column.
  const json = r.dialect.rowJson(used.map((c) => [c.name, textOf(r.dialect, c)] as const));
  const rows = await r.query(
    `SELECT ${json} AS j FROM cost_rows WHERE ${where}
     ORDER BY "ChargePeriodStart", _source_file, _source_line, _row_id`,
    params,
  );
  return rows.map((row, index) => {
    const parsed = JSON.parse(String(row['j'])) as Record<string, string | null>;
    const values: Record<string, string | null> = {};
    for (const name of FOCUS_COLUMN_NAMES) {
      const v = parsed[name];
      values[name] = v === null || v === undefined || v === '' ? null : String(v);
    }
    return { index, values };
  });
}

// Columns allocation and reconciliation read; everything else only matters to the FOCUS export.
// BillingCurrency: a group never adds two currencies (reports convert each one to the reporting currency).
const GROUP_COLUMNS = [
  'BillingCurrency',
  'ResourceName',
  'ResourceId',
  'Tags',
  'ServiceName',
  'ServiceCategory',
  'ChargeCategory',
  'CommitmentDiscountId',
  'x_AiProvider',
  'x_AiModel',
  'x_AiDeploymentType',
  'x_AiTokenType',
  'x_AiService',
];

/**
 * The same rows as costRows, summed over every row allocation would treat alike (same resource, model, meter,
 * category and rule columns), per month or per UTC day. Costs stay exact DECIMAL sums; a month of daily meters
 * collapses ~30x, so reports stay fast on large exports.
 */
export async function costGroups(
  r: SqlRunner,
  w: Window,
  rules: readonly CostMatch[],
  opts: { byDay?: boolean } = {},
): Promise<CostRowValues[]> {
  const d = r.dialect;
  const { where, params } = scopeSql(d, w, rules);
  const ruleCols = rules.flatMap((m) => Object.keys(m)).filter((c) => FOCUS_COLUMN_NAMES.includes(c));
  const cols = [...new Set([...GROUP_COLUMNS, ...ruleCols])];
  const keys = cols.map((c) => `CAST("${c}" AS VARCHAR) AS "${c}"`).join(', ');
  const period = opts.byDay
    ? d.secondText(`date_trunc('day', "ChargePeriodStart" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)
    : d.secondText('min("ChargePeriodStart")');
  // A sum is null when any part is (so "no list cost" survives grouping); effective falls back to billed per row.
  const sumOf = (expr: string) =>
    `CASE WHEN count(${expr}) = count(*) THEN CAST(sum(${expr}) AS VARCHAR) END`;
  const groupBy = cols.map((_, i) => i + 1);
  if (opts.byDay) groupBy.push(cols.length + 1);
  const all = Array.from({ length: cols.length + 5 }, (_, i) => i + 1);
  const rows = await r.query(
    `SELECT ${keys}, ${period} AS "ChargePeriodStart",
       ${sumOf('"BilledCost"')} AS "BilledCost", ${sumOf('coalesce("EffectiveCost", "BilledCost")')} AS "EffectiveCost",
       ${sumOf('"ListCost"')} AS "ListCost", count(*) AS _rows
     FROM cost_rows
     WHERE ${where}
     GROUP BY ${groupBy.join(', ')}
     ORDER BY ${all.join(', ')}`,
    params,
  );
  return rows.map((row, index) => {
    const values: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(row))
      values[k] = v === null || v === undefined || v === '' ? null : String(v);
    return { index, values };
  });
}

/** Deletes a file's cost rows and its ingest records. */
export async function deleteCostSource(r: SqlRunner, file: string): Promise<void> {
  await r.exec('DELETE FROM cost_rows WHERE _source_file = $1', [file]);
  await r.exec('DELETE FROM ingests WHERE file = $1', [file]);
}

const CAST_TYPE: Record<FocusColumn['type'], string> = {
  string: 'VARCHAR',
  money: 'DECIMAL(38,10)',
  price: 'DECIMAL(38,16)',
  quantity: 'DECIMAL(38,10)',
  datetime: 'TIMESTAMPTZ',
  json: 'JSON',
};

/** Appends cost rows (values as text, cast in SQL so decimals stay exact), a few hundred per statement. */
export async function appendCostRows(r: SqlRunner, rows: readonly CostRowInput[]): Promise<number> {
  const names = ['_row_id', '_source_file', '_source_line', '_slice_key', '_ingest_id'];
  const width = names.length + FOCUS_COLUMNS.length;
  const per = Math.max(1, Math.floor(30_000 / width));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: SqlParam[] = [];
    const tuples = chunk.map((row) => {
      const at = params.length;
      params.push(row.rowId, row.sourceFile, row.sourceLine, row.sliceKey, row.ingestId);
      for (const c of FOCUS_COLUMNS) params.push(row.values[c.name] ?? null);
      const marks = Array.from({ length: width }, (_, j) => {
        const c = j < names.length ? null : FOCUS_COLUMNS[j - names.length];
        return c ? `CAST($${at + j + 1} AS ${CAST_TYPE[c.type]})` : `$${at + j + 1}`;
      });
      return `(${marks.join(', ')})`;
    });
    const cols = [...names, ...FOCUS_COLUMNS.map((c) => `"${c.name}"`)].join(', ');
    await r.exec(`INSERT INTO cost_rows (${cols}) VALUES ${tuples.join(', ')}`, params);
  }
  return rows.length;
}

/** Records one ingested file. */
export async function recordIngest(r: SqlRunner, rec: IngestRecord): Promise<void> {
  await r.exec(
    `INSERT INTO ingests (id, file, file_hash, format, slice_key, rows_loaded, rows_rejected, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      rec.id,
      rec.file,
      rec.fileHash,
      rec.format,
      rec.sliceKey,
      rec.rowsLoaded,
      rec.rowsRejected,
      rec.ingestedAt,
    ],
  );
}
