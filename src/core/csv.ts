/**
 * CSV for Tally: a small RFC 4180 reader for the modest files read in JavaScript (price sheets, KPI files), and
 * the one writer every CSV Tally produces goes through, formula-safe by default.
 */

/**
 * Parses CSV text into records of strings: quoted fields may hold commas, doubled quotes and line breaks;
 * CRLF and LF both end a record; a leading byte-order mark is dropped; blank records are skipped.
 * Bulk cost exports do not come through here: ingest reads them with DuckDB.
 */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  eachCsvRecord(text, (rec) => {
    out.push(rec);
  });
  return out;
}

/**
 * The records `parseCsv` returns, handed to `onRecord` one at a time as they are read, so a caller that keeps
 * only what it derives from each (a series file's numbers) never holds every record at once. `onRecord` returning
 * false stops the reading.
 */
export function eachCsvRecord(text: string, onRecord: (record: string[]) => boolean | void): void {
  let rec: string[] = [];
  let field = '';
  let quoted = false;
  let stopped = false;
  const end = (): void => {
    rec.push(field);
    if (rec.some((f) => f.trim() !== '')) stopped = onRecord(rec) === false;
    rec = [];
    field = '';
  };
  // Plain characters from `from` up to `i` join the field as one slice when a quote, comma or line break comes
  // (added one by one, they made a chain of one-character strings per field: 300 MB for a 17 MB series file).
  let from = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = from;
  for (; i < text.length && !stopped; i++) {
    const ch = text.charCodeAt(i);
    if (quoted) {
      if (ch === QUOTE) {
        field += text.slice(from, i);
        if (text.charCodeAt(i + 1) === QUOTE) {
          field += '"';
          i++;
        } else quoted = false;
        from = i + 1;
      }
    } else if (ch === QUOTE) {
      field += text.slice(from, i);
      quoted = true;
      from = i + 1;
    } else if (ch === COMMA) {
      rec.push(field + text.slice(from, i));
      field = '';
      from = i + 1;
    } else if (ch === LF || ch === CR) {
      field += text.slice(from, i);
      if (ch === CR && text.charCodeAt(i + 1) === LF) i++;
      end();
      from = i + 1;
    }
  }
  if (stopped) return;
  field += text.slice(from, i);
  if (field !== '' || rec.length > 0) end();
}

const [QUOTE, COMMA, LF, CR] = [34, 44, 10, 13];

/** A CSV cell value: numbers are written as numbers, null as an empty cell. */
export type CsvValue = string | number | bigint | boolean | null | undefined;

// A spreadsheet runs a cell as a formula (or a DDE command) when its text starts with one of these, in their
// ASCII or full-width forms (OWASP "CSV injection"; Excel folds ＝＋－＠ to =+-@). Leading spaces do not disarm it.
const FORMULA_START = /^[\s\0]*[=+\-@|%\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n\0]/;
// A plain decimal number cannot run anything, and a FOCUS file's negative costs (-1.5) must stay numbers.
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One cell: quoted when needed (RFC 4180). Text a spreadsheet would run as a formula gets a leading `'`, which
 * spreadsheets show as text; text that is a plain decimal number is left alone, as are JS numbers and bigints.
 */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v !== 'string') return String(v);
  const s = FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record (no line end), for writers that stream. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

/** Renders a header and rows as CSV text, each record ended by `eol` (CRLF, as RFC 4180 says, by default). */
export function toCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, CsvValue>>[],
  opts: { eol?: '\r\n' | '\n' } = {},
): string {
  const eol = opts.eol ?? '\r\n';
  const lines = [csvRecord(columns)];
  for (const r of rows) lines.push(csvRecord(columns.map((c) => r[c])));
  return lines.join(eol) + eol;
}
