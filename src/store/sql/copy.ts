/**
 * Moving a store between backends (`tally store copy`): every table, row for row, then a check that each table
 * holds as many rows and the same money totals on both sides. Values travel as text (exact decimals, UTC
 * instants, JSON as written), so nothing passes through a float. The usage ledger moves through the named
 * readUsage/appendUsage operations (COPY on PostgreSQL, the appender on DuckDB).
 */
import { TallyError } from '../../core/index.js';
import { CAST, TABLES, type TableSpec } from './_copy-tables.js';
import { SqlStore } from './sql-store.js';
import type { Row, SqlParam } from '../store.js';

const USAGE_SUMS = ['cost_nanos', 'list_cost_nanos', 'saved_cost_nanos'];

/** One table's result: rows and money totals on each side. */
export interface CopiedTable {
  readonly table: string;
  readonly rows: number;
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Exact decimal totals of the money columns, source and target. */
  readonly totals: Record<string, { readonly source: string; readonly target: string }>;
  readonly ok: boolean;
}

/** What `copyStore` did. */
export interface CopySummary {
  readonly from: string;
  readonly to: string;
  readonly tables: readonly CopiedTable[];
  /** Every table has the same count and totals on both sides. */
  readonly ok: boolean;
}

/** Rows per page read and per INSERT (cost rows have ~80 columns: 500 stays far below 65,535 parameters). */
const PAGE = 500;
const USAGE_PAGE = 20_000;

/**
 * Copies every table of `from` into `to`. The target must be empty unless `replace` is set, in which case its
 * tables are emptied first. Progress goes to `onProgress` (table, rows so far).
 */
export async function copyStore(
  from: unknown,
  to: unknown,
  opts: { replace?: boolean; onProgress?: (table: string, rows: number) => void } = {},
): Promise<CopySummary> {
  if (!(from instanceof SqlStore) || !(to instanceof SqlStore))
    throw new TallyError('invalid_input', 'store copy moves between SQL stores (DuckDB files, PostgreSQL)');
  if (from.location === to.location)
    throw new TallyError('invalid_input', 'store copy: --from and --to are the same store');
  const filled = await nonEmptyTables(to);
  if (filled.length > 0 && !opts.replace)
    throw new TallyError(
      'conflict',
      `the target ${to.location} already holds data (${filled.join(', ')}); copy into an empty store, or pass --replace to empty it first`,
      { tables: filled },
    );
  if (opts.replace)
    await to.transaction(async (tx) => {
      // A SQL store's transaction hands out the same kind of store.
      const sql = tx as SqlStore;
      await sql.exec('DELETE FROM usage_events');
      // Its rollup too (PostgreSQL's delete trigger has emptied it already; DuckDB keeps it by the named writes).
      await sql.exec('DELETE FROM usage_daily');
      for (const spec of TABLES) await sql.exec(`DELETE FROM ${spec.name}`);
    });
  const progress = opts.onProgress ?? (() => undefined);
  const tables: CopiedTable[] = [];
  const usageRows = await copyUsage(from, to, (n) => progress('usage_events', n));
  tables.push(await verify(from, to, 'usage_events', USAGE_SUMS, usageRows));
  for (const spec of TABLES) {
    const rows = await copyTable(from, to, spec, (n) => progress(spec.name, n));
    tables.push(await verify(from, to, spec.name, spec.sums, rows));
  }
  return { from: from.location, to: to.location, tables, ok: tables.every((x) => x.ok) };
}

async function nonEmptyTables(s: SqlStore): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['usage_events', ...TABLES.map((x) => x.name)]) {
    const [r] = await s.query(`SELECT count(*) AS n FROM ${name}`);
    if (Number(r?.['n'] ?? 0) > 0) out.push(name);
  }
  return out;
}

/** The ledger, paged by (start_time, id). */
async function copyUsage(from: SqlStore, to: SqlStore, progress: (n: number) => void): Promise<number> {
  const extent = await from.usageExtent();
  if (!extent.first || !extent.last) return 0;
  const w = { from: extent.first, to: new Date(extent.last.getTime() + 1) };
  let after: { startTime: number; id: string } | undefined;
  let n = 0;
  for (;;) {
    const page = await from.readUsage({ ...w, limit: USAGE_PAGE, ...(after ? { after } : {}) });
    if (page.length === 0) return n;
    n += await to.appendUsage(page);
    progress(n);
    const last = page[page.length - 1]!;
    after = { startTime: last.startTime, id: last.id };
  }
}

/** One table, as text, paged by its key (or at once when it has none), inserted in batches. */
async function copyTable(
  from: SqlStore,
  to: SqlStore,
  spec: TableSpec,
  progress: (n: number) => void,
): Promise<number> {
  const cols = spec.columns.map(([c]) => c);
  const select = cols.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ');
  let last: string | null = null;
  let n = 0;
  for (;;) {
    const rows: Row[] = spec.key
      ? await from.query(
          `SELECT ${select} FROM ${spec.name} ${last === null ? '' : `WHERE ${spec.key} > $2`}
           ORDER BY ${spec.key} LIMIT $1`,
          last === null ? [PAGE] : [PAGE, last],
        )
      : await from.query(`SELECT ${select} FROM ${spec.name}`);
    if (rows.length === 0) return n;
    const params: SqlParam[] = [];
    const values = rows.map(
      (r) =>
        `(${spec.columns
          .map(([c, kind]) => {
            const v = r[c.replace(/"/g, '')];
            params.push(v === null || v === undefined ? null : String(v));
            return CAST[kind](`$${params.length}`);
          })
          .join(', ')})`,
    );
    await to.exec(`INSERT INTO ${spec.name} (${cols.join(', ')}) VALUES ${values.join(', ')}`, params);
    n += rows.length;
    progress(n);
    if (!spec.key) return n;
    last = String(rows[rows.length - 1]![spec.key]);
  }
}

/** An exact decimal's canonical text: no trailing fractional zeros, no lone point, "0" for nothing. */
export function canonicalDecimal(v: unknown): string {
  if (v === null || v === undefined) return '0';
  let s = String(v).trim();
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '' || s === '-0' ? '0' : s;
}

async function totalsOf(s: SqlStore, table: string, sums: readonly string[]) {
  const cols = sums.map((c, i) => `CAST(sum(${c}) AS VARCHAR) AS s${i}`);
  const [r] = await s.query(`SELECT ${['count(*) AS n', ...cols].join(', ')} FROM ${table}`);
  return { n: Number(r?.['n'] ?? 0), sums: sums.map((_, i) => canonicalDecimal(r?.[`s${i}`])) };
}

async function verify(
  from: SqlStore,
  to: SqlStore,
  table: string,
  sums: readonly string[],
  rows: number,
): Promise<CopiedTable> {
  const [a, b] = [await totalsOf(from, table, sums), await totalsOf(to, table, sums)];
  const totals: CopiedTable['totals'] = {};
  sums.forEach((c, i) => (totals[c.replace(/"/g, '')] = { source: a.sums[i]!, target: b.sums[i]! }));
  const ok = a.n === b.n && a.sums.every((x, i) => x === b.sums[i]);
  return { table, rows, sourceRows: a.n, targetRows: b.n, totals, ok };
}
