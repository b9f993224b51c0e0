/** CSV writing (RFC 4180), with an opt-in guard against spreadsheet formula injection. */

/** A CSV cell value: numbers are written as numbers, null as an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

// A spreadsheet runs a cell as a formula when its text starts with one of these (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r|%]/;

/** Quotes a cell when needed; with `spreadsheetSafe`, text that a spreadsheet would run is prefixed with '. */
export function csvCell(v: CsvValue, spreadsheetSafe = false): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (spreadsheetSafe && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || (spreadsheetSafe && s !== s.trim()) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Renders a header and rows as CSV text with CRLF line ends. */
export function toCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, CsvValue>>[],
  opts: { spreadsheetSafe?: boolean } = {},
): string {
  const safe = opts.spreadsheetSafe ?? false;
  const lines = [columns.map((c) => csvCell(c, safe)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c], safe)).join(','));
  return lines.join('\r\n') + '\r\n';
}
