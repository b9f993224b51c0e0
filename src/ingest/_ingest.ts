/**
 * `ingestFiles`: files are read, typed and classified on a scratch DuckDB (the file engine, whatever the store's
 * backend), and their rows reach the store in one transaction through `loadCostRows`, so a failed run leaves
 * the store as it was. Idempotent: a file whose bytes were already ingested is skipped. Month-to-date exports:
 * a newer file for the same billing account and billing period replaces that slice (in the same transaction);
 * files given together in one run (partitioned exports) add up instead of replacing each other. Runs store one
 * at a time, so the same file ingested by two processes at once is stored once (docs/decisions/0034).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import { TallyError, csvRecord, newId } from '../core/index.js';
import { localBaseFor, type CostRowsFile, type CostStore, type DuckDBSql } from '../store/index.js';
import { expandPaths, fileKind, hashFile } from './_source.js';
import { Staging, type InputLimits } from './_input.js';
import type { IngestFormat } from './_detect.js';
import { loadFile, openFileEngine, quarantinePage, REJECTS, writeCostRowsFile } from './_load.js';
import { freshRejects, planFile, type PlannedFile } from './_read.js';

/** Options of an ingest run. */
export interface IngestOptions {
  readonly paths: readonly string[];
  readonly format?: IngestFormat | 'auto';
  readonly cwd?: string;
  /** Folder for the quarantine CSV (created when a row is rejected). */
  readonly quarantineDir: string;
  /**
   * The name to record for the one file the paths name, instead of its path: in the result, the ingest record,
   * its rows' `_source_file` and the quarantine (the API's uploads give the name the file was sent with).
   */
  readonly name?: string | undefined;
  /** Caps on decompressed input (tally.yaml `ingest`); defaults when absent. */
  readonly limits?: InputLimits;
  /** DuckDB memory_limit of the file engine (tally.yaml `store.memoryLimit`); it spills to disk beyond it. */
  readonly memoryLimit?: string | undefined;
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

/** Ingests cost files (FOCUS or Azure actual/amortized; csv, csv.gz, parquet) into the store, on any backend. */
export async function ingestFiles(store: CostStore, opts: IngestOptions): Promise<IngestResult> {
  const files = expandPaths(opts.paths, opts.cwd);
  if (opts.name !== undefined && (files.length !== 1 || opts.name.trim() === ''))
    throw new TallyError(
      'invalid_input',
      `a name must be non-empty and name one file (the paths name ${files.length})`,
      {
        field: 'name',
      },
    );
  const shown = (file: string) => opts.name ?? file;
  const sizes = files.map((f) => statSync(f).size);
  const total = sizes.reduce((s, n) => s + n, 0);
  const runId = newId();
  // Progress by bytes: planning (hash, detect, classify) is the first half, typing the rows the next 30%,
  // writing them to the store the last 20%.
  let done = 0;
  const progress = (bytes: number, share: number) => {
    done += bytes * share;
    opts.onProgress?.(Math.min(done, total), total);
  };
  // Every backend loads CSV; DuckDB also Parquet, which carries its own types: no second text parse (user CPU
  // 18.5 s against 39.6 s with CSV for a 300k-row, 160 MB export; ADR 0025).
  const format: CostRowsFile['format'] = store.backend === 'duckdb' ? 'parquet' : 'csv';
  const engine = await openFileEngine(opts.memoryLimit);
  const staging = new Staging(opts.limits);
  try {
    // Phase 1: hash, detect and classify every new file (reads only key columns).
    const staged: { file: string; hash: string; i: number; st: PlannedFile | null }[] = [];
    const seen = new Set<string>();
    for (const [i, file] of files.entries()) {
      const hash = await hashFile(file);
      let st: PlannedFile | null = null;
      if (!seen.has(hash) && !(await store.isIngested(hash))) {
        seen.add(hash);
        st = await planFile(engine, file, fileKind(file)!, opts.format ?? 'auto', i, staging);
      }
      staged.push({ file, hash, i, st });
      progress(sizes[i]!, 0.5);
    }
    // Phase 2: type every row on the file engine and write each file's rows out for the store.
    const loads: {
      rowsFile: CostRowsFile;
      hash: string;
      size: number;
      st: PlannedFile;
      out: IngestedFile;
    }[] = [];
    const out: IngestedFile[] = [];
    for (const { file, hash, i, st } of staged) {
      if (!st) {
        out.push(unchanged(shown(file)));
        progress(sizes[i]!, 0.3);
        continue;
      }
      const ingestId = `${runId}-${i}`;
      const loaded = await loadFile(engine, {
        file: shown(file),
        ingestId,
        slicePrefix: st.format,
        hasHeader: st.hasHeader,
        rejects: st.rejects,
        rejectsTable: `${REJECTS}_${i}`,
        source: st.source,
        mapping: st.mapping,
        classTable: st.classTable,
        freshRejects: (suffix) => freshRejects(engine, `${REJECTS}_${i}_${suffix}`),
      });
      assertEveryRecordRead(file, st.records, loaded.rowsRead);
      const rowsFile: CostRowsFile = {
        ingestId,
        format,
        path: join(staging.folder(), `cost-rows.${format}`),
      };
      const written = await writeCostRowsFile(engine, rowsFile);
      assertRowsKept(file, loaded.rowsLoaded, written, 'written out');
      const f: IngestedFile = {
        file: shown(file),
        format: st.format,
        version: st.version,
        status: 'loaded',
        ...loaded,
      };
      out.push(f);
      loads.push({ rowsFile, hash, size: sizes[i]!, st, out: f });
      progress(sizes[i]!, 0.3);
    }
    // Phase 3: one store transaction takes every file's rows and records, so a failure leaves it as it was.
    // Runs store one at a time (lockIngests), and a file another run stored since phase 1 is left alone: two
    // processes ingesting the same file at once store it once, and the one that did not reports it unchanged.
    const rowsReplaced = await store.transaction(async (tx) => {
      await tx.lockIngests();
      for (const { rowsFile, hash, size, st, out: f } of loads) {
        if (await tx.isIngested(hash)) {
          Object.assign(f, unchanged(f.file));
          progress(size, 0.2);
          continue;
        }
        assertRowsKept(f.file, f.rowsLoaded, await tx.loadCostRows(rowsFile), 'stored');
        await tx.recordIngest({
          id: rowsFile.ingestId,
          file: f.file,
          fileHash: hash,
          format: st.format,
          sliceKey: f.slices.join(',') || null,
          rowsLoaded: f.rowsLoaded,
          rowsRejected: f.rowsRejected,
          ingestedAt: new Date(),
        });
        progress(size, 0.2);
      }
      const slices = out.flatMap((f) => f.slices);
      const replaced = await tx.replaceCostSlices(runId, slices);
      await tx.settleAzureDatasets(slices);
      return replaced;
    });
    opts.onProgress?.(total, total);
    const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => out.reduce((s, f) => s + f[k], 0);
    const res: IngestResult = {
      files: out,
      rowsRead: sum('rowsRead'),
      rowsLoaded: sum('rowsLoaded'),
      rowsRejected: sum('rowsRejected'),
      rowsReplaced,
    };
    if (res.rowsRejected > 0) res.quarantine = await writeQuarantine(engine, opts.quarantineDir, runId);
    return res;
  } finally {
    await engine.close().catch(() => undefined);
    staging.remove();
  }
}

/** A file's loaded rows must all reach the store: a shortfall anywhere fails the run (and rolls it back). */
function assertRowsKept(file: string, loaded: number, kept: number, where: string): void {
  if (loaded === kept) return;
  throw new TallyError(
    'internal',
    `${basename(file)}: ${loaded} rows were loaded but ${kept} ${where}; nothing was stored`,
    { file, loaded, kept },
  );
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

/**
 * Writes the run's quarantine CSV through core's formula-safe writer: its reasons quote cells of an untrusted
 * export (`BilledCost: cannot read =HYPERLINK(...)`), which a spreadsheet would otherwise run. Paged, so a file
 * with millions of bad rows does not sit in memory at once.
 */
async function writeQuarantine(engine: DuckDBSql, dir: string, runId: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `quarantine-${runId}.csv`);
  const page = 50_000;
  try {
    writeFileSync(path, csvRecord(['file', 'line', 'reason']) + '\r\n');
    for (let at = 0; ; at += page) {
      const rows = await quarantinePage(engine, at, page);
      if (rows.length === 0) break;
      const text = rows.map((r) => csvRecord([r.file, r.line, r.reason]));
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
