/**
 * Tables and their CSV from one column list, so a download always holds exactly the rows and values of the
 * table on screen: money cells show every digit in the page and write the same exact decimal to the file.
 */
import { csvCell } from '../core/index.js';
import { moneyText, usd } from './_format.js';
import { html, type Html, type HtmlValue } from './_html.js';

/** A CSV value: text (guarded against formulas), a number, empty, or exact decimal text written as a number. */
export type CsvOut = string | number | null | { readonly exact: string };

/** One column: how a row shows in the table and, optionally, how it is written to CSV. */
export interface Column<R> {
  readonly label: string;
  /** Right-aligned numbers. */
  readonly num?: boolean;
  /** Extra class on the column's cells (width, wrapping). */
  readonly cls?: string;
  readonly cell: (r: R) => HtmlValue;
  /** The CSV value; omitted columns are not exported (e.g. action buttons). */
  readonly csv?: (r: R) => CsvOut;
  /** The CSV header, when it says more than the label (a money column's currency). */
  readonly csvLabel?: string;
}

/** A money column in `currency`: exact in the table and in the CSV (whose header names the currency). */
export function moneyColumn<R>(label: string, get: (r: R) => unknown, currency: string): Column<R> {
  return {
    label,
    num: true,
    cell: (r) => usd(get(r), currency),
    csv: (r) => moneyCsv(get(r)),
    csvLabel: `${label} (${currency})`,
  };
}

/** A money value for CSV: its exact decimal text, written as a number (a leading minus is not a formula). */
export function moneyCsv(v: unknown): CsvOut {
  const t = moneyText(v);
  return t === null ? null : { exact: t };
}

function classOf(c: Column<never>): string {
  return [c.num ? 'num' : '', c.cls ?? ''].join(' ').trim();
}

/** A table with a caption, header, rows and an optional footer row. */
export function dataTable<R>(opts: {
  caption?: HtmlValue;
  columns: readonly Column<R>[];
  rows: readonly R[];
  foot?: readonly HtmlValue[];
  empty?: string;
}): Html {
  const cols = opts.columns;
  if (opts.rows.length === 0)
    return html`<p class="muted">${opts.empty ?? 'No rows for this selection.'}</p>`;
  return html`<div class="scroll">
    <table>
      ${
        opts.caption
          ? html`<caption>
              ${opts.caption}
            </caption>`
          : ''
      }
      <thead>
        <tr>
          ${cols.map((c) => html`<th scope="col" class="${classOf(c)}">${c.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${opts.rows.map(
          (r) =>
            html`<tr>
              ${cols.map((c) => html`<td class="${classOf(c)}">${c.cell(r)}</td>`)}
            </tr>`,
        )}
      </tbody>
      ${
        opts.foot
          ? html`<tfoot>
              <tr>
                ${opts.foot.map((v, i) => html`<td${cols[i]?.num ? html` class="num"` : ''}>${v}</td>`)}
              </tr>
            </tfoot>`
          : ''
      }
    </table>
  </div>`;
}

// The one CSV writer defuses formula starts (ASCII and full-width) in text and leaves plain numbers alone.
function textCell(s: string): string {
  return csvCell(s);
}

/** The CSV of a table: the exported columns' labels, then one line per row (CRLF, spreadsheet-safe text). */
export function tableCsv<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cols = columns.filter((c) => c.csv);
  const lines = [cols.map((c) => textCell(c.csvLabel ?? c.label)).join(',')];
  for (const r of rows)
    lines.push(
      cols
        .map((c) => {
          const v = c.csv!(r);
          if (v === null) return '';
          if (typeof v === 'object') return v.exact;
          return typeof v === 'number' ? csvCell(v) : textCell(v);
        })
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}
