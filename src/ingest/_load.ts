/**
 * Loads one planned file into the file engine's cost_rows in a single streamed pass: typed rows, joined with
 * the AI class of their key, go straight into cost_rows. Rows that cannot load are marked (slice key
 * "reject:<reason>"), counted, re-located by line in a second pass over the file (only when there are any) and
 * deleted again. The file engine is a scratch in-memory DuckDB (whatever the store's backend), so nobody ever
 * sees those rows; what is left goes to the store as a cost-rows file (`writeCostRowsFile`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COST_ROW_FILE_COLUMNS, openDuckDBStore, type CostRowsFile, type DuckDBSql } from '../store/index.js';
import { classifyCharge } from './_classify.js';
import { COST_COLUMNS, typedSelectSql, type SourceMapping } from './_stage.js';
import { ident, lit } from './_sql.js';

/** The run's quarantine table: file, line, reason. */
export const QUARANTINE = '_tally_quarantine';
/** Prefix of DuckDB's rejects tables for structurally broken CSV records. */
export const REJECTS = '_tally_rej';

/** Facts about one loaded file. */
export interface LoadedFile {
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  slices: string[];
}

/**
 * Opens ingest's file engine: a scratch in-memory DuckDB (read_csv, read_parquet, the typed SELECT), UTC, with
 * the run's quarantine table. It never touches the configured store, so ingest runs on any backend. Beyond
 * `memoryLimit` (DuckDB's default, 80% of RAM, when absent) its tables spill to the temp folder.
 */
export async function openFileEngine(memoryLimit?: string): Promise<DuckDBSql> {
  const engine = await openDuckDBStore({ path: ':memory:', memoryLimit });
  try {
    await engine.exec("SET TimeZone = 'UTC'");
    // The in-memory database spills to disk for files larger than memory.
    await engine.exec(`SET temp_directory = ${lit(join(tmpdir(), 'tally-ingest-spill'))}`);
    await engine.exec(`CREATE TEMP TABLE ${QUARANTINE} (file VARCHAR, line BIGINT, reason VARCHAR)`);
  } catch (err) {
    await engine.close();
    throw err;
  }
  return engine;
}

/**
 * Writes one loaded file's rows to `path` as a cost-rows file (store `CostRowsFile`: CSV, no header, \N for
 * NULL) and drops them from the engine. Returns how many rows it wrote.
 */
export async function writeCostRowsFile(engine: DuckDBSql, file: CostRowsFile): Promise<number> {
  const cols = COST_ROW_FILE_COLUMNS.map(ident).join(', ');
  const { ingestId, path } = file;
  const [r] = await engine.query('SELECT count(*) AS n FROM cost_rows WHERE _ingest_id = $1', [ingestId]);
  const options =
    file.format === 'parquet'
      ? 'FORMAT parquet'
      : `FORMAT csv, HEADER false, NULLSTR '\\N', DELIMITER ',', QUOTE '"', ESCAPE '"'`;
  await engine.exec(
    `COPY (SELECT ${cols} FROM cost_rows WHERE _ingest_id = ${lit(ingestId)}) TO ${lit(path)} (${options})`,
  );
  await engine.exec('DELETE FROM cost_rows WHERE _ingest_id = $1', [ingestId]);
  return Number(r?.['n'] ?? 0);
}

/** One page of the run's quarantine (file, line, reason), in file and line order. */
export async function quarantinePage(engine: DuckDBSql, at: number, size: number) {
  const rows = await engine.query(
    `SELECT file, line, reason FROM ${QUARANTINE} ORDER BY file, line LIMIT ${size} OFFSET ${at}`,
  );
  return rows.map((r) => ({
    file: r['file'] as string,
    line: Number(r['line']),
    reason: r['reason'] as string,
  }));
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const q = (s: string | null) => (s === null ? 'NULL' : lit(s));

/** Classifies the distinct keys a keys SELECT yields into `table` (ck -> x_Ai* values; AI keys only). */
export async function classifyKeys(tx: DuckDBSql, keysSql: string, table: string): Promise<void> {
  await tx.exec(`CREATE OR REPLACE TEMP TABLE ${table} (ck UBIGINT, provider VARCHAR, model VARCHAR,
    token_type VARCHAR, deployment_type VARCHAR, service VARCHAR)`);
  const keys = await tx.query(`SELECT CAST(ck AS VARCHAR) AS ck, * EXCLUDE (ck) FROM (${keysSql})`);
  const values: string[] = [];
  for (const k of keys) {
    const cls = classifyCharge({
      providerName: str(k['ProviderName']),
      serviceCategory: str(k['ServiceCategory']),
      serviceName: str(k['ServiceName']),
      serviceSubcategory: str(k['ServiceSubcategory']),
      resourceType: str(k['_k_rt']),
      meterCategory: str(k['_k_mcat']),
      meterSubcategory: str(k['_k_msub']),
      skuMeter: str(k['SkuMeter']),
      chargeDescription: str(k['ChargeDescription']),
    });
    if (!cls) continue;
    values.push(
      `(CAST(${lit(String(k['ck']))} AS UBIGINT), ${q(cls.provider)}, ${q(cls.model)}, ${q(cls.tokenType)}, ${q(cls.deploymentType)}, ${q(cls.service)})`,
    );
  }
  for (let i = 0; i < values.length; i += 1000)
    await tx.exec(`INSERT INTO ${table} VALUES ${values.slice(i, i + 1000).join(', ')}`);
}

/** What loadFile needs. */
export interface LoadRequest {
  readonly file: string;
  readonly ingestId: string;
  readonly slicePrefix: string;
  readonly hasHeader: boolean;
  /** Structurally broken records found while planning, in `rejectsTable`. */
  readonly rejects: number;
  readonly rejectsTable: string;
  readonly source: (rejects: string) => string;
  readonly mapping: SourceMapping;
  readonly classTable: string;
  /** Returns a fresh rejects table name for a re-read of a CSV (DuckDB will not reuse one). */
  readonly freshRejects: (suffix: string) => Promise<string>;
}

const REJECT = 'reject:';

/** Loads one file (inside the run's transaction). */
export async function loadFile(tx: DuckDBSql, r: LoadRequest): Promise<LoadedFile> {
  const ai = ['x_AiProvider', 'x_AiModel', 'x_AiTokenType', 'x_AiDeploymentType', 'x_AiService'];
  const aiSrc = ['c.provider', 'c.model', 'c.token_type', 'c.deployment_type', 'c.service'];
  const cols = COST_COLUMNS.filter((c) => !ai.includes(c));
  const seq = `_tally_seq_${r.ingestId.replace(/[^a-zA-Z0-9]/g, '_')}`;
  await tx.exec(`CREATE OR REPLACE TEMP SEQUENCE ${seq}`);
  const slice = `CASE WHEN t._reason IS NOT NULL THEN ${lit(REJECT)} || t._reason
    WHEN t."BillingAccountId" IS NOT NULL AND t."BillingPeriodStart" IS NOT NULL
    THEN ${lit(r.slicePrefix + ':')} || t."BillingAccountId" || ':' || strftime(t."BillingPeriodStart", '%Y-%m') END`;
  const src = r.rejects >= 0 ? r.source(await r.freshRejects('load')) : '';
  await tx.exec(
    `INSERT INTO cost_rows (_row_id, _source_file, _source_line, _slice_key, _ingest_id, ${[...cols, ...ai].map(ident).join(', ')})
     SELECT ${lit(r.ingestId + ':')} || nextval('${seq}'), ${lit(r.file)}, NULL, ${slice}, ${lit(r.ingestId)},
       ${cols.map((c) => `t.${ident(c)}`).join(', ')}, ${aiSrc.join(', ')}
     FROM (${typedSelectSql(src, r.mapping)}) t LEFT JOIN ${r.classTable} c ON t._ck = c.ck`,
  );
  const stats = await tx.query(
    `SELECT count(*) AS n, count(*) FILTER (WHERE starts_with(_slice_key, ${lit(REJECT)})) AS bad
     FROM cost_rows WHERE _ingest_id = $1`,
    [r.ingestId],
  );
  const n = Number(stats[0]?.['n'] ?? 0);
  const bad = Number(stats[0]?.['bad'] ?? 0);
  if (bad > 0) await quarantineRows(tx, r);
  if (r.rejects > 0)
    await tx.exec(
      `INSERT INTO ${QUARANTINE} SELECT ${lit(r.file)}, line, min(error_type || ': ' || error_message || ' | ' || csv_line)
       FROM ${r.rejectsTable} GROUP BY line`,
    );
  const sliceRows = await tx.query(
    `SELECT DISTINCT _slice_key AS s FROM cost_rows WHERE _ingest_id = $1 AND _slice_key IS NOT NULL
       AND NOT starts_with(_slice_key, ${lit(REJECT)}) ORDER BY s`,
    [r.ingestId],
  );
  return {
    rowsRead: n + r.rejects,
    rowsLoaded: n - bad,
    rowsRejected: bad + r.rejects,
    slices: sliceRows.map((x) => String(x['s'])),
  };
}

/** Finds the line of each unloadable row (second pass, in file order), quarantines it and deletes it. */
async function quarantineRows(tx: DuckDBSql, r: LoadRequest): Promise<void> {
  const src = r.source(await r.freshRejects('rescan'));
  // Record number k (0-based, good records only) -> line: header + k + broken records before it.
  let line = `rn + ${r.hasHeader ? 1 : 0}`;
  if (r.rejects > 0) {
    await tx.exec(`CREATE OR REPLACE TEMP TABLE _tally_rejx AS
      SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS g FROM (SELECT DISTINCT line FROM ${r.rejectsTable})`);
    line += ` + (SELECT count(*) FROM _tally_rejx x WHERE x.g <= rn - 1)`;
  }
  await tx.exec(
    `INSERT INTO ${QUARANTINE} SELECT ${lit(r.file)}, ${line}, _reason
     FROM (SELECT row_number() OVER () AS rn, _reason FROM (${typedSelectSql(src, r.mapping)}))
     WHERE _reason IS NOT NULL`,
  );
  await tx.exec(`DELETE FROM cost_rows WHERE _ingest_id = $1 AND starts_with(_slice_key, ${lit(REJECT)})`, [
    r.ingestId,
  ]);
}
