/**
 * `ingestFiles`: the whole ingest run in one transaction, so a failed run leaves the store as it was.
 * Idempotent: a file whose bytes were already ingested is skipped. Month-to-date exports: a newer file for the
 * same billing account and billing period replaces that slice (DELETE + INSERT in the same transaction); files
 * given together in one run (partitioned exports) add up instead of replacing each other.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import { TallyError, csvRecord, newId } from '../core/index.js';
import { localBaseFor, type CostStore } from '../store/index.js';
import { expandPaths, fileKind, hashFile } from './_source.js';
import { Staging, type InputLimits } from './_input.js';
import type { IngestFormat } from './_detect.js';
import { loadFile, QUARANTINE, REJECTS } from './_load.js';
import { freshRejects, planFile, type PlannedFile } from './_read.js';

/** Options of an ingest run. */
export interface IngestOptions {
  readonly paths: readonly string[];
  readonly format?: IngestFormat | 'auto';
  readonly cwd?: string;
  /** Folder for the quarantine CSV (created when a row is rejected). */
  readonly quarantineDir: string;
  /** Caps on decompressed input (tally.yaml `ingest`); defaults when absent. */
  readonly limits?: InputLimits;
  /** Called as bytes of input are done. */
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** What happened to one file. */
export interface IngestedFile {
  file: string;
  format: IngestFormat | null;
  version: string | null;
  status: 'loaded' | 'unchanged';
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  slices: string[];
}

/** The result of a run. */
export interface IngestResult {
  files: IngestedFile[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Rows of earlier exports replaced by newer month-to-date exports. */
  rowsReplaced: number;
  quarantine?: string;
}

/** Ingests cost files (FOCUS or Azure actual/amortized; csv, csv.gz, parquet) into the store. */
export async function ingestFiles(store: CostStore, opts: IngestOptions): Promise<IngestResult> {
  const files = expandPaths(opts.paths, opts.cwd);
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const runId = newId();
  await store.exec("SET TimeZone = 'UTC'");
  await store.exec(`CREATE OR REPLACE TEMP TABLE ${QUARANTINE} (file VARCHAR, line BIGINT, reason VARCHAR)`);
  // Phase 1, outside the transaction: hash, detect and classify every new file (reads only key columns).
  const staged: { file: string; hash: string; i: number; st: PlannedFile | null }[] = [];
  const seen = new Set<string>();
  const staging = new Staging(opts.limits);
  let done = 0;
  try {
    for (const [i, file] of files.entries()) {
      const hash = await hashFile(file);
      const known = await store.query('SELECT 1 FROM ingests WHERE file_hash = $1 LIMIT 1', [hash]);
      let st: PlannedFile | null = null;
      if (known.length === 0 && !seen.has(hash)) {
        seen.add(hash);
        st = await planFile(store, file, fileKind(file)!, opts.format ?? 'auto', i, staging);
      }
      staged.push({ file, hash, i, st });
      done += statSync(file).size;
      opts.onProgress?.(done * 0.8, total);
    }
    // Phase 2: one transaction loads everything, so a failure leaves the store as it was.
    const result = await store.transaction(async (tx) => {
      const out: IngestedFile[] = [];
      for (const { file, hash, i, st } of staged) {
        if (!st) {
          out.push(unchanged(file));
          continue;
        }
        const ingestId = `${runId}-${i}`;
        const loaded = await loadFile(tx, {
          file,
          ingestId,
          slicePrefix: st.format,
          hasHeader: st.hasHeader,
          rejects: st.rejects,
          rejectsTable: `${REJECTS}_${i}`,
          source: st.source,
          mapping: st.mapping,
          classTable: st.classTable,
          freshRejects: (suffix) => freshRejects(tx, `${REJECTS}_${i}_${suffix}`),
        });
        assertEveryRecordRead(file, st.records, loaded.rowsRead);
        await tx.exec(
          `INSERT INTO ingests (id, file, file_hash, format, slice_key, rows_loaded, rows_rejected, ingested_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
          [
            ingestId,
            file,
            hash,
            st.format,
            loaded.slices.join(',') || null,
            loaded.rowsLoaded,
            loaded.rowsRejected,
          ],
        );
        out.push({ file, format: st.format, version: st.version, status: 'loaded', ...loaded });
      }
      const rowsReplaced = await replaceSlices(tx, runId, out);
      await reconcileAzureDatasets(tx, out);
      return { files: out, rowsReplaced };
    });
    opts.onProgress?.(total, total);
    const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => result.files.reduce((s, f) => s + f[k], 0);
    const res: IngestResult = {
      files: result.files,
      rowsRead: sum('rowsRead'),
      rowsLoaded: sum('rowsLoaded'),
      rowsRejected: sum('rowsRejected'),
      rowsReplaced: result.rowsReplaced,
    };
    if (res.rowsRejected > 0) res.quarantine = await writeQuarantine(store, opts.quarantineDir, runId);
    return res;
  } finally {
    for (const { i } of staged)
      for (const t of [`_tally_raw_${i}`, `_tally_cls_${i}`, `${REJECTS}_${i}`, `${REJECTS}_${i}_load`])
        await store.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    staging.remove();
  }
}

/**
 * A file is "loaded" only if every data record in it was either loaded or rejected: DuckDB's CSV reader can
 * skip what it cannot decode or split without saying so, and a silent shortfall is lost spend.
 */
function assertEveryRecordRead(file: string, records: number | null, read: number): void {
  if (records === null || records === read) return;
  throw new TallyError(
    'invalid_input',
    `${basename(file)}: the file has ${records} data rows but ${read} were read (loaded or rejected); nothing was loaded. Check its encoding and quoting, or run tally validate on it`,
    { file, records, read },
  );
}

function unchanged(file: string): IngestedFile {
  return {
    file,
    format: null,
    version: null,
    status: 'unchanged',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsRejected: 0,
    slices: [],
  };
}

/** Month-to-date exports are cumulative: rows of earlier runs in a slice this run loaded are replaced. */
async function replaceSlices(tx: CostStore, runId: string, files: readonly IngestedFile[]): Promise<number> {
  const slices = [...new Set(files.flatMap((f) => f.slices))];
  let replaced = 0;
  for (const slice of slices) {
    const old = await tx.query(
      `SELECT count(*) AS n FROM cost_rows WHERE _slice_key = $1 AND NOT starts_with(_ingest_id, $2)`,
      [slice, runId],
    );
    const n = Number(old[0]?.['n'] ?? 0);
    if (n === 0) continue;
    await tx.exec(`DELETE FROM cost_rows WHERE _slice_key = $1 AND NOT starts_with(_ingest_id, $2)`, [
      slice,
      runId,
    ]);
    replaced += n;
  }
  return replaced;
}

/**
 * Azure FOCUS conversion keeps all amortized rows plus only the commitment purchases and refunds of the actual
 * export (whose cost the amortized rows already spread): once both datasets of a slice are loaded, the other
 * actual rows go, and those purchases get EffectiveCost 0.
 */
async function reconcileAzureDatasets(tx: CostStore, files: readonly IngestedFile[]): Promise<void> {
  const pairs = new Set<string>();
  for (const s of files.flatMap((f) => f.slices))
    if (s.startsWith('azure-')) pairs.add(s.replace(/^azure-(actual|amortized):/, ''));
  for (const rest of pairs) {
    const actual = `azure-actual:${rest}`;
    const amortized = `azure-amortized:${rest}`;
    const has = await tx.query('SELECT 1 FROM cost_rows WHERE _slice_key = $1 LIMIT 1', [amortized]);
    if (has.length === 0) continue;
    const purchase = `"ChargeCategory" = 'Purchase' AND "CommitmentDiscountId" IS NOT NULL`;
    await tx.exec(`DELETE FROM cost_rows WHERE _slice_key = $1 AND NOT (${purchase})`, [actual]);
    await tx.exec(`UPDATE cost_rows SET "EffectiveCost" = 0 WHERE _slice_key = $1 AND ${purchase}`, [actual]);
  }
}

/**
 * Writes the run's quarantine CSV through core's formula-safe writer: its reasons quote cells of an untrusted
 * export (`BilledCost: cannot read =HYPERLINK(...)`), which a spreadsheet would otherwise run. Paged, so a file
 * with millions of bad rows does not sit in memory at once.
 */
async function writeQuarantine(store: CostStore, dir: string, runId: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `quarantine-${runId}.csv`);
  const page = 50_000;
  try {
    writeFileSync(path, csvRecord(['file', 'line', 'reason']) + '\r\n');
    for (let at = 0; ; at += page) {
      const rows = await store.query(
        `SELECT file, line, reason FROM ${QUARANTINE} ORDER BY file, line LIMIT ${page} OFFSET ${at}`,
      );
      if (rows.length === 0) break;
      const text = rows.map((r) =>
        csvRecord([r['file'] as string, Number(r['line']), r['reason'] as string]),
      );
      appendFileSync(path, text.join('\r\n') + '\r\n');
    }
  } catch (err) {
    throw new TallyError('io_error', `cannot write the quarantine file ${path}: ${(err as Error).message}`, {
      file: path,
    });
  }
  return path;
}

/** Default quarantine folder: beside the store file. */
export function defaultQuarantineDir(dbPath: string): string {
  return dbPath === ':memory:'
    ? join(process.cwd(), '.tally', 'quarantine')
    : join(dirname(localBaseFor(dbPath)), 'quarantine');
}

/** Short file name for messages. */
export const shortName = (p: string): string => basename(p);
