/**
 * Reads one file into the typed staging table. FOCUS files go straight from read_csv/read_parquet to typed
 * rows in one streamed pass; Azure legacy exports are staged raw first (small files; their dataset is read
 * from the rows when the name does not say actual or amortized).
 */
import { basename } from 'node:path';
import { TallyError } from '../core/index.js';
import type { DuckDBSql } from '../store/index.js';
import { azureMapping } from './_azure.js';
import { detectFormat, focusVersionOf, headerKey, mapFocusHeaders, type IngestFormat } from './_detect.js';
import { REJECTS } from './_load.js';
import { readFirstLine, sniffDelimiter, splitHeader, type FileKind } from './_source.js';
import { stageCsv, stageParquet, type Staging } from './_input.js';
import { ident, lit } from './_sql.js';
import { keysSelectSql, type SourceMapping } from './_stage.js';
import { classifyKeys } from './_load.js';

/** What staging found out about a file. */
export interface StagedFile {
  format: IngestFormat;
  version: string | null;
  hasHeader: boolean;
  /** Records DuckDB could not split into the header's columns (already in the rejects table). */
  rejects: number;
  /** Data records the file holds, when known: the load must account for each (loaded or rejected). */
  records: number | null;
}

/** A readable source: its header names and the FROM-able SQL that yields columns c0..cN as text. */
export interface Source {
  headers: string[];
  /** FROM-able SQL; `@@REJ@@` stands for the name of the table DuckDB writes broken CSV records to. */
  sql: string;
  /** Field delimiter (CSV only). */
  delim?: string;
  hasHeader: boolean;
  /** Data records in the file (CSV: counted while staging); null when the reader cannot lose any (parquet). */
  records: number | null;
}

/**
 * Opens a file as a text-column source (no data read yet). DuckDB only ever sees a private staged copy (see
 * _input.ts): a literal name, UTF-8, uncompressed, with its record count known.
 */
export async function openSource(
  tx: DuckDBSql,
  userFile: string,
  kind: FileKind,
  staging: Staging,
): Promise<Source> {
  if (kind === 'parquet') {
    const file = stageParquet(userFile, staging);
    let desc;
    try {
      desc = await tx.query(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
    } catch (err) {
      throw new TallyError(
        'invalid_input',
        `${basename(userFile)}: not a readable parquet file (${(err as Error).message})`,
        { file: userFile },
      );
    }
    const headers = desc.map((d) => String(d['column_name']));
    const cols = desc.map((d, i) => {
      const t = String(d['column_type']);
      const c = ident(String(d['column_name']));
      const text =
        /^(MAP|STRUCT)/.test(t) || t.endsWith('[]')
          ? `CAST(to_json(${c}) AS VARCHAR)`
          : /^(TIMESTAMP|DATE)/.test(t)
            ? `strftime(CAST(${c} AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%SZ')`
            : `CAST(${c} AS VARCHAR)`;
      return `${text} AS c${i}`;
    });
    return {
      headers,
      sql: `(SELECT ${cols.join(', ')} FROM read_parquet(${lit(file)}))`,
      hasHeader: false,
      records: null,
    };
  }
  const staged = await stageCsv(userFile, kind === 'csv.gz', staging);
  const file = staged.path;
  const { first } = await readFirstLine(file);
  const delim = sniffDelimiter(first);
  const headers = splitHeader(first, delim);
  if (headers.length < 2 || headers.every((h) => h === ''))
    throw new TallyError('invalid_input', `${basename(userFile)}: no header row found`, { file: userFile });
  const columns = headers.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const sql = `read_csv(${lit(file)}, header = true, auto_detect = false, delim = ${lit(delim)}, quote = '"', escape = '"',
    columns = {${columns}}, nullstr = ['', 'NULL', 'null', 'Null'], compression = 'none', encoding = 'utf-8', store_rejects = true,
    rejects_table = '@@REJ@@', rejects_scan = '@@REJ@@_scan', max_line_size = 10000000)`;
  return { headers, sql, hasHeader: true, delim, records: Math.max(0, staged.records - 1) };
}

/** A FOCUS file's mapping: known columns by name, the rest as x_Extra. */
function focusMapping(headers: readonly string[], clean: boolean): SourceMapping {
  const mapped = mapFocusHeaders(headers);
  const columns = new Map<string, string>();
  const extras: [string, string][] = [];
  for (const m of mapped) {
    if (m.focus) columns.set(m.focus, ident(m.staged));
    else extras.push([m.extraName, ident(m.staged)]);
  }
  const find = (key: string) => {
    const m = mapped.find((x) => headerKey(x.source) === key);
    return m ? ident(m.staged) : null;
  };
  // The first data row may carry a second byte-order mark (concatenated exports): strip it from column 1.
  const firstFocus = mapped[0]?.focus;
  if (firstFocus) columns.set(firstFocus, `replace(${ident('c0')}, chr(65279), '')`);
  return {
    columns,
    extras,
    checks: [],
    clean,
    keys: {
      resourceType: find('xresourcetype'),
      meterCategory: find('xskumetercategory'),
      meterSubcategory: find('xskumetersubcategory'),
    },
  };
}

/** Reads the rows of an Azure legacy export to tell actual from amortized when the file name does not. */
async function azureDataset(
  tx: DuckDBSql,
  headers: readonly string[],
  name: string,
  raw: string,
): Promise<IngestFormat> {
  if (/amorti[sz]/i.test(name)) return 'azure-amortized';
  if (/actual/i.test(name)) return 'azure-actual';
  const col = (k: string) => {
    const i = headers.findIndex((h) => headerKey(h) === k);
    return i < 0 ? null : ident(`c${i}`);
  };
  const type = col('chargetype');
  const model = col('pricingmodel');
  const cost = col('costinbillingcurrency') ?? col('cost');
  if (!type || !model || !cost) return 'azure-actual';
  const r = await tx.query(`SELECT
      count(*) FILTER (WHERE ${type} = 'Purchase' AND ${model} IN ('Reservation', 'SavingsPlan')) AS p,
      count(*) FILTER (WHERE ${type} = 'Usage' AND ${model} IN ('Reservation', 'SavingsPlan') AND TRY_CAST(${cost} AS DOUBLE) <> 0) AS u
    FROM ${raw}`);
  // Actual exports carry commitment purchases and cost 0 on covered usage; amortized ones the reverse.
  if (Number(r[0]?.['p'] ?? 0) > 0) return 'azure-actual';
  if (Number(r[0]?.['u'] ?? 0) > 0) return 'azure-amortized';
  return 'azure-actual';
}

/** How one file will be loaded: its typed SELECT, and the classification of its distinct keys. */
export interface PlannedFile extends StagedFile {
  /** FROM-able source SQL using the given rejects table name. */
  source(rejects: string): string;
  mapping: SourceMapping;
  /** Temp table with the AI class of each classification key. */
  classTable: string;
}

/** Drops and returns a rejects table name (DuckDB refuses to reuse one). */
export async function freshRejects(tx: DuckDBSql, name: string): Promise<string> {
  await tx.exec(`DROP TABLE IF EXISTS ${name}`);
  await tx.exec(`DROP TABLE IF EXISTS ${name}_scan`);
  return name;
}

/**
 * Plans one file, outside the load transaction: detects its format, stages Azure legacy exports raw, reads
 * the distinct classification keys in one cheap pass (which also finds structurally broken records) and
 * classifies them into a temp table.
 */
export async function planFile(
  tx: DuckDBSql,
  file: string,
  kind: FileKind,
  wanted: IngestFormat | 'auto',
  n: number,
  staging: Staging,
): Promise<PlannedFile> {
  const rejects = await freshRejects(tx, `${REJECTS}_${n}`);
  const src = await openSource(tx, file, kind, staging);
  const detected = detectFormat(src.headers, basename(file));
  if (detected === null && wanted === 'auto')
    throw new TallyError(
      'invalid_input',
      `${basename(file)}: not a FOCUS or Azure cost export (columns: ${src.headers.slice(0, 8).join(', ')}...). Pass --format to force one.`,
      { file },
    );
  let format: IngestFormat = wanted === 'auto' ? detected! : wanted;
  let mapping: SourceMapping;
  let source: (rej: string) => string;
  let hasHeader = src.hasHeader;
  const classTable = `_tally_cls_${n}`;
  try {
    if (format === 'focus') {
      mapping = { ...focusMapping(src.headers, src.hasHeader), decimalComma: src.delim === ';' };
      source = (rej) => src.sql.replaceAll('@@REJ@@', rej);
      await classifyKeys(tx, keysSelectSql(source(rejects), mapping), classTable);
    } else {
      const raw = `_tally_raw_${n}`;
      await tx.exec(
        `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM ${src.sql.replaceAll('@@REJ@@', rejects)}`,
      );
      if (wanted === 'auto') format = await azureDataset(tx, src.headers, basename(file), raw);
      mapping = { ...azureMapping(src.headers, format, src.delim === ';'), decimalComma: src.delim === ';' };
      source = () => `(SELECT * FROM ${raw} ORDER BY rowid)`;
      await classifyKeys(tx, keysSelectSql(raw, mapping), classTable);
    }
  } catch (err) {
    if (err instanceof TallyError) throw err;
    throw new TallyError('invalid_input', `${basename(file)}: cannot read (${(err as Error).message})`, {
      file,
    });
  }
  let rejected = 0;
  if (src.hasHeader) {
    // DuckDB logs one entry per missing column of a short record: count records, not entries.
    const r = await tx.query(`SELECT count(DISTINCT line) AS n FROM ${rejects}`);
    rejected = Number(r[0]?.['n'] ?? 0);
  }
  if (format !== 'focus') hasHeader = src.hasHeader;
  return {
    format,
    version: format === 'focus' ? focusVersionOf(src.headers) : null,
    hasHeader,
    rejects: rejected,
    records: src.records,
    source,
    mapping,
    classTable,
  };
}
