/** Generic series input: CSV with `timestamp,value`, `series_id,timestamp,value`, or Prophet-style `ds,y`. */
import { eachCsvRecord, TallyError } from '../../core/index.js';
import { median } from './_stats.js';
import { INDEX_STEP_MS, isIndexCell, timeStyleOf, type TimeStyle } from './_time-style.js';

/** One regularly sampled series. */
export interface Series {
  readonly id: string;
  /** Epoch milliseconds UTC, ascending. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  /** Typical sampling step in milliseconds (median gap). */
  readonly stepMs: number;
  /** How the file wrote its timestamps (absent for series from the store), for writing them back alike. */
  readonly timeStyle?: TimeStyle;
}

const TIME_HEADERS = ['timestamp', 'ds', 'time', 'date', 'datetime'];
const VALUE_HEADERS = ['value', 'y', 'cost', 'amount'];
const ID_HEADERS = ['series_id', 'unique_id', 'id', 'series'];

/** Parses a timestamp cell: ISO date/time (zone-less is UTC) or epoch seconds/milliseconds. */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n < 1e11 ? n * 1000 : n;
  }
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t)
    ? t
    : `${t.replace(' ', 'T')}${t.length <= 10 ? 'T00:00:00' : ''}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Date.parse(t) : ms;
}

/** Whether a series file's header names a series id column (a file of many series). */
export function hasSeriesIds(header: readonly string[]): boolean {
  return (
    column(
      header.map((h) => h.trim()),
      ID_HEADERS,
    ) >= 0
  );
}

function column(header: readonly string[], names: readonly string[]): number {
  return header.findIndex((h) => names.includes(h.toLowerCase()));
}

/**
 * What rows that share a series' timestamp become (ADR 0044): `sum` (parts of one total, e.g. spend per model
 * in one file), `mean` (a re-sent or doubled reading of a measurement), `last` (the row latest in the file), or
 * `auto` (the default): per series, sum when most of its timestamps repeat (the file lists parts), mean when
 * repeats are the exception (a reading sent twice is not twice the reading).
 */
export type DuplicateRule = 'sum' | 'mean' | 'last' | 'auto';

export const DUPLICATE_RULES: readonly DuplicateRule[] = ['sum', 'mean', 'last', 'auto'];

/** Rows at one timestamp: their sum, count and the last value seen. */
interface Cell {
  sum: number;
  count: number;
  last: number;
}

/**
 * One series' timestamps in order and their values, repeats combined by `rule`. The timestamps are distinct
 * numbers (Map keys, never NaN or -0), so a typed sort orders them as a comparator sort would, without a pair
 * per row (a many-series file's rows are hundreds of thousands).
 */
function combine(g: Map<number, Cell>, rule: DuplicateRule): { timestamps: number[]; values: number[] } {
  let repeated = 0;
  for (const c of g.values()) if (c.count > 1) repeated++;
  const effective = rule === 'auto' ? (repeated * 2 > g.size ? 'sum' : 'mean') : rule;
  const value = (c: Cell) => (effective === 'sum' ? c.sum : effective === 'last' ? c.last : c.sum / c.count);
  const sorted = Float64Array.from(g.keys()).sort();
  const timestamps = Array.from(sorted);
  return { timestamps, values: timestamps.map((t) => value(g.get(t)!)) };
}

/**
 * Parses CSV text into series (sorted by time, rows sharing a timestamp combined by `duplicates`, default
 * `auto`; blank/NA values skipped).
 */
export function parseSeriesCsv(text: string, file = 'input', duplicates: DuplicateRule = 'auto'): Series[] {
  // core's reader (quotes, CRLF, BOM, blank records); cells trimmed. Records are read twice and kept by neither
  // pass (a many-series file held as records took over 100 MB): first the header, the first timestamp and whether
  // every timestamp is a plain index, then the rows.
  let header: string[] | null = null;
  let firstTime: string | undefined;
  let rows = 0;
  let index = true;
  let ti = -1;
  let vi = -1;
  let ii = -1;
  const readHeader = (cells: readonly string[]) => {
    header = cells.map((c) => c.trim());
    ti = column(header, TIME_HEADERS);
    vi = column(header, VALUE_HEADERS);
    ii = column(header, ID_HEADERS);
    if (ti < 0 || vi < 0) {
      if (header.length === 2 && ii < 0) [ti, vi] = [0, 1];
      else
        throw new TallyError(
          'invalid_input',
          `${file}: expected columns timestamp,value or series_id,timestamp,value (or ds,y); got ${header.join(',')}`,
          { file },
        );
    }
  };
  eachCsvRecord(text, (rec) => {
    if (!header) return readHeader(rec);
    const cell = rec[ti]?.trim() ?? '';
    if (rows++ === 0) firstTime = cell;
    // A file of plain integer timestamps (1, 2, 3...) is an index, not seconds after 1970: read as hours.
    if (index && !isIndexCell(cell)) index = false;
  });
  if (!header) readHeader([]); // no records: no columns
  if (rows === 0) index = false;
  const groups = new Map<string, Map<number, Cell>>();
  let n = 0;
  eachCsvRecord(text, (rec) => {
    if (n++ === 0) return;
    const cells = rec;
    const tsCell = cells[ti]?.trim() ?? '';
    const ts = index ? Number(tsCell) * INDEX_STEP_MS : parseTimestamp(tsCell);
    const raw = cells[vi]?.trim() ?? '';
    const v = raw === '' ? Number.NaN : Number(raw);
    if (Number.isNaN(ts))
      throw new TallyError('invalid_input', `${file}:${n}: "${tsCell}" is not a timestamp`, {
        file,
        line: n,
      });
    if (!Number.isFinite(v)) return;
    const id = ii >= 0 ? (cells[ii]?.trim() ?? 'default') : 'default';
    let g = groups.get(id);
    if (!g) groups.set(id, (g = new Map()));
    const c = g.get(ts);
    if (c) {
      c.sum += v;
      c.count++;
      c.last = v;
    } else g.set(ts, { sum: v, count: 1, last: v });
  });
  if (groups.size === 0) throw new TallyError('invalid_input', `${file}: no numeric rows`, { file });
  const style: TimeStyle = index ? { kind: 'index' } : timeStyleOf(firstTime ?? '');
  return [...groups].map(([id, g]) => {
    const { timestamps, values } = combine(g, duplicates);
    return seriesOf(id, timestamps, values, style);
  });
}

/** Builds a Series from (timestamp, value) pairs sorted by time, with the style its timestamps were written in. */
export function seriesFrom(
  id: string,
  pairs: readonly (readonly [number, number])[],
  timeStyle?: TimeStyle,
): Series {
  return seriesOf(
    id,
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
    timeStyle,
  );
}

function seriesOf(id: string, timestamps: number[], values: number[], timeStyle?: TimeStyle): Series {
  const gaps = timestamps.slice(1).map((t, i) => t - timestamps[i]!);
  const stepMs = gaps.length ? median(gaps) : 86_400_000;
  return { id, timestamps, values, stepMs, ...(timeStyle ? { timeStyle } : {}) };
}

/** The timestamp `k` steps after `last` (calendar months for monthly data). */
export function stepAfter(last: number, stepMs: number, k: number): number {
  const day = 86_400_000;
  if (stepMs >= 27 * day && stepMs <= 32 * day) {
    const d = new Date(last);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, d.getUTCDate(), d.getUTCHours());
  }
  return last + k * stepMs;
}
