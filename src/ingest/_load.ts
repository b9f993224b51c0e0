/**
 * Loads one staged file into cost_rows: classifies AI spend per distinct key, inserts the good rows, routes the
 * bad ones (with line and reason) to the run's quarantine table, and records the file in `ingests`.
 */
import type { CostStore } from '../store/index.js';
import { classifyCharge } from './_classify.js';
import { CLASS_KEY_COLUMNS, COST_COLUMNS } from './_stage.js';
import { ident, lit } from './_sql.js';

/** The run's quarantine table: file, line, reason. */
export const QUARANTINE = '_tally_quarantine';
/** DuckDB's rejects table for structurally broken CSV records. */
export const REJECTS = '_tally_rej';

/** Facts about one loaded file. */
export interface LoadedFile {
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  slices: string[];
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

async function classify(tx: CostStore, typed: string): Promise<void> {
  await tx.exec(`CREATE OR REPLACE TEMP TABLE _tally_cls (ck UBIGINT, provider VARCHAR, model VARCHAR,
    token_type VARCHAR, deployment_type VARCHAR, service VARCHAR)`);
  const keys = await tx.query(
    `SELECT CAST(_ck AS VARCHAR) AS ck, ${CLASS_KEY_COLUMNS.map((c) => `any_value(${ident(c)}) AS ${ident(c)}`).join(', ')}
     FROM ${typed} WHERE _reason IS NULL GROUP BY _ck`,
  );
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
    const q = (s: string | null) => (s === null ? 'NULL' : lit(s));
    values.push(
      `(CAST(${lit(String(k['ck']))} AS UBIGINT), ${q(cls.provider)}, ${q(cls.model)}, ${q(cls.tokenType)}, ${q(cls.deploymentType)}, ${q(cls.service)})`,
    );
  }
  for (let i = 0; i < values.length; i += 1000)
    await tx.exec(`INSERT INTO _tally_cls VALUES ${values.slice(i, i + 1000).join(', ')}`);
}

/** Line number of a typed row: header is line 1; records DuckDB rejected shift later rows down. */
function lineExpr(hasHeader: boolean, rejects: number): string {
  const base = `t.rowid + ${hasHeader ? 2 : 1}`;
  if (rejects === 0) return base;
  // Good rows before the i-th rejected record (0-based, by line) = line_i - 2 - i.
  return `${base} + (SELECT count(*) FROM _tally_rejx x WHERE x.g <= t.rowid)`;
}

/** Loads the typed staging table of one file. `slicePrefix` names the dataset (focus, azure-actual...). */
export async function loadTyped(
  tx: CostStore,
  opts: {
    file: string;
    ingestId: string;
    slicePrefix: string;
    hasHeader: boolean;
    rejects: number;
    typed: string;
    rejectsTable: string;
  },
): Promise<LoadedFile> {
  const typed = opts.typed;
  const counts = await tx.query(
    `SELECT count(*) AS n, count(*) FILTER (WHERE _reason IS NULL) AS ok FROM ${typed}`,
  );
  const n = Number(counts[0]?.['n'] ?? 0);
  const ok = Number(counts[0]?.['ok'] ?? 0);
  if (opts.rejects > 0)
    await tx.exec(`CREATE OR REPLACE TEMP TABLE _tally_rejx AS
      SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS g FROM ${opts.rejectsTable}`);
  const sliceRows = await tx.query(
    `SELECT DISTINCT "BillingAccountId" AS a, strftime("BillingPeriodStart", '%Y-%m') AS p FROM ${typed}
     WHERE _reason IS NULL AND "BillingAccountId" IS NOT NULL AND "BillingPeriodStart" IS NOT NULL`,
  );
  const slices = sliceRows.map((r) => `${opts.slicePrefix}:${String(r['a'])}:${String(r['p'])}`).sort();
  const sliceExpr =
    slices.length === 1
      ? lit(slices[0]!)
      : `CASE WHEN "BillingAccountId" IS NOT NULL AND "BillingPeriodStart" IS NOT NULL THEN ${lit(opts.slicePrefix + ':')} || "BillingAccountId" || ':' || strftime("BillingPeriodStart", '%Y-%m') END`;
  await classify(tx, typed);
  const line = lineExpr(opts.hasHeader, opts.rejects);
  const ai = ['x_AiProvider', 'x_AiModel', 'x_AiTokenType', 'x_AiDeploymentType', 'x_AiService'];
  const aiSrc = ['c.provider', 'c.model', 'c.token_type', 'c.deployment_type', 'c.service'];
  const cols = COST_COLUMNS.filter((c) => !ai.includes(c));
  await tx.exec(
    `INSERT INTO cost_rows (_row_id, _source_file, _source_line, _slice_key, _ingest_id, ${[...cols, ...ai].map(ident).join(', ')})
     SELECT ${lit(opts.ingestId + ':')} || t.rowid, ${lit(opts.file)}, ${line}, ${sliceExpr}, ${lit(opts.ingestId)},
       ${cols.map((c) => `t.${ident(c)}`).join(', ')}, ${aiSrc.join(', ')}
     FROM ${typed} t LEFT JOIN _tally_cls c ON t._ck = c.ck WHERE t._reason IS NULL`,
  );
  await tx.exec(
    `INSERT INTO ${QUARANTINE} SELECT ${lit(opts.file)}, ${line}, t._reason FROM ${typed} t WHERE t._reason IS NOT NULL`,
  );
  if (opts.rejects > 0)
    await tx.exec(
      `INSERT INTO ${QUARANTINE} SELECT ${lit(opts.file)}, line, error_type || ': ' || error_message || ' | ' || csv_line FROM ${opts.rejectsTable}`,
    );
  return { rowsRead: n + opts.rejects, rowsLoaded: ok, rowsRejected: n - ok + opts.rejects, slices };
}
