/**
 * Charts as inline SVG rendered on the server: no chart library, no script, printable, and readable by a screen
 * reader through <title>/<desc>. Every chart on a page has a table with the same numbers next to it; the
 * chart is the picture, the table is the record. Geometry uses floats, but no number shown is computed here.
 */
import { groupThousands, usdEstimate, withCurrency } from './_format.js';
import { html, type Html } from './_html.js';

/** One stacked series: a name and one value per bucket. */
export interface StackSeries {
  readonly name: string;
  readonly values: readonly number[];
}

// Default drawing width in SVG units; a chart in a half-width card passes a smaller one so its text stays legible.
const W_DEFAULT = 960;
const PAD = { left: 64, right: 16, top: 12, bottom: 28 };

/** Series colour class: `s0`..`s7` from a colour-blind-safe palette, `sother` for the grey "other" group. */
export function seriesClass(i: number, name: string): string {
  return name === OTHER ? 'sother' : `s${i % 8}`;
}

/** The name of the group that collects everything past the top N. */
export const OTHER = 'other';

/** Round tick values from 0 to at least `max` (about 4 steps of 1, 2 or 5 × 10^k). */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A short axis label: $950, $1.2k, $3.4M (in another currency: 950 EUR, 1.2k EUR). */
export function axisUsd(v: number, currency: string): string {
  const abs = Math.abs(v);
  const [div, suffix] = abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  const n = v / div;
  const text = Number.isInteger(n) ? String(n) : n.toFixed(abs >= 1e3 ? 1 : 2).replace(/\.?0+$/, '');
  return withCurrency(`${groupThousands(text)}${suffix}`, currency);
}

function yAxis(ticks: readonly number[], y: (v: number) => number, W: number, currency: string): Html {
  return html`<g class="axis"
    >${ticks.map(
      (t) =>
        html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" class="grid" /><text
            x="${PAD.left - 6}"
            y="${y(t) + 4}"
            text-anchor="end"
            >${axisUsd(t, currency)}</text
          >`,
    )}</g
  >`;
}

/** Labels for at most ~12 of the buckets so dates never overlap. */
function xLabels(labels: readonly string[], x: (i: number) => number, height: number, maxLabels = 12): Html {
  const every = Math.max(1, Math.ceil(labels.length / maxLabels));
  const shortDate = dateLabeler(labels);
  return html`<g class="axis"
    >${labels.map((l, i) =>
      i % every === 0
        ? html`<text x="${x(i)}" y="${height - 8}" text-anchor="middle">${shortDate(l)}</text>`
        : '',
    )}</g
  >`;
}

/** Axis text for buckets: months as 2026-11 when every bucket is a different month's 1st, else days as 11-03. */
function dateLabeler(labels: readonly string[]): (d: string) => string {
  const monthly =
    labels.length > 1 &&
    labels.every((l, i) => l.endsWith('-01') && (i === 0 || l.slice(0, 7) !== labels[i - 1]!.slice(0, 7)));
  return monthly ? (d) => d.slice(0, 7) : (d) => d.slice(5, 10);
}

function frame(title: string, desc: string, W: number, height: number, body: Html): Html {
  const id = `c${Math.abs(hash(title + desc)).toString(36)}`;
  return html`<svg
    class="chart"
    viewBox="0 0 ${W} ${height}"
    role="img"
    aria-labelledby="${id}t ${id}d"
    preserveAspectRatio="xMidYMid meet"
  >
    <title id="${id}t">${title}</title>
    <desc id="${id}d">${desc}</desc>
    ${body}
  </svg>`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

/** Stacked bars, one bar per bucket (day or month), one colour per series; negative values draw as zero. */
export function stackedBars(opts: {
  title: string;
  desc: string;
  buckets: readonly string[];
  series: readonly StackSeries[];
  format: (v: number) => string;
  /** The currency of the values (axis labels name it). */
  currency: string;
  height?: number;
  width?: number;
}): Html {
  const W = opts.width ?? W_DEFAULT;
  const height = opts.height ?? 300;
  const n = Math.max(1, opts.buckets.length);
  const totals = opts.buckets.map((_, i) =>
    opts.series.reduce((s, r) => s + Math.max(0, r.values[i] ?? 0), 0),
  );
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 1;
  const plotH = height - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const band = (W - PAD.left - PAD.right) / n;
  const x = (i: number) => PAD.left + band * i + band / 2;
  const barW = Math.max(1, band * 0.72);
  const bars = opts.buckets.map((b, i) => {
    let acc = 0;
    return opts.series.map((s, si) => {
      const v = Math.max(0, s.values[i] ?? 0);
      if (v === 0) return '';
      const y0 = y(acc);
      acc += v;
      const y1 = y(acc);
      return html`<rect
        class="${seriesClass(si, s.name)}"
        x="${(x(i) - barW / 2).toFixed(1)}"
        y="${y1.toFixed(1)}"
        width="${barW.toFixed(1)}"
        height="${Math.max(0.5, y0 - y1).toFixed(1)}"
        ><title>${b} · ${s.name}: ${opts.format(v)}</title></rect
      >`;
    });
  });
  return frame(
    opts.title,
    opts.desc,
    W,
    height,
    html`${yAxis(ticks, y, W, opts.currency)}${bars}${xLabels(opts.buckets, x, height, W / 80)}`,
  );
}

/** One forecast point with its p10–p90 band. */
export interface BandPoint {
  readonly x: string;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** Actual values as a solid line, then the forecast's median dashed inside a shaded p10–p90 band. */
export function bandChart(opts: {
  title: string;
  desc: string;
  actual: readonly { x: string; y: number }[];
  forecast: readonly BandPoint[];
  /** The currency of the values (axis labels name it). */
  currency: string;
  height?: number;
  width?: number;
}): Html {
  const W = opts.width ?? W_DEFAULT;
  const height = opts.height ?? 260;
  const labels = [...opts.actual.map((p) => p.x), ...opts.forecast.map((p) => p.x)];
  const n = Math.max(2, labels.length);
  const ticks = niceTicks(Math.max(0, ...opts.actual.map((p) => p.y), ...opts.forecast.map((p) => p.p90)));
  const top = ticks[ticks.length - 1] ?? 1;
  const plotH = height - PAD.top - PAD.bottom;
  const y = (v: number) => (PAD.top + plotH - (Math.max(0, v) / top) * plotH).toFixed(1);
  const step = (W - PAD.left - PAD.right) / (n - 1);
  const x = (i: number) => PAD.left + step * i;
  const xs = (i: number) => x(i).toFixed(1);
  const a = opts.actual.map((p, i) => `${xs(i)},${y(p.y)}`).join(' ');
  const off = opts.actual.length;
  const f = opts.forecast;
  const upper = f.map((p, i) => `${xs(off + i)},${y(p.p90)}`);
  const lower = f.map((p, i) => `${xs(off + i)},${y(p.p10)}`).reverse();
  // The median line starts at the last actual point so the two read as one series.
  const last = opts.actual[off - 1];
  const mid = [
    ...(last ? [`${xs(off - 1)},${y(last.y)}`] : []),
    ...f.map((p, i) => `${xs(off + i)},${y(p.p50)}`),
  ];
  const body = html`${yAxis(ticks, (v) => Number(y(v)), W, opts.currency)}
  ${f.length ? html`<polygon class="band" points="${[...upper, ...lower].join(' ')}" />` : ''}
  ${a ? html`<polyline class="actual" points="${a}" />` : ''}
  ${f.length ? html`<polyline class="median" points="${mid.join(' ')}" />` : ''}
  ${off && f.length ? html`<line class="today" x1="${xs(off)}" x2="${xs(off)}" y1="${PAD.top}" y2="${height - PAD.bottom}" />` : ''}
  ${xLabels(labels, x, height, W / 80)}`;
  return frame(opts.title, opts.desc, W, height, body);
}

/** A horizontal budget bar: spent (solid), forecast at period end (marker with its p10–p90 whisker). */
export function budgetBar(opts: {
  label: string;
  amount: number;
  spent: number;
  forecast?: number | null;
  p10?: number | null;
  p90?: number | null;
}): Html {
  const w = 300;
  const h = 18;
  const max = Math.max(opts.amount, opts.spent, opts.p90 ?? 0, opts.forecast ?? 0) * 1.05 || 1;
  const sx = (v: number) => ((Math.max(0, v) / max) * w).toFixed(1);
  const over = opts.spent > opts.amount;
  const fc = opts.forecast ?? null;
  return html`<svg class="budget" viewBox="0 0 ${w} ${h}" role="img" aria-label="${opts.label}">
    <rect class="track" x="0" y="4" width="${sx(opts.amount)}" height="10" />
    <rect class="${over ? 'spent over' : 'spent'}" x="0" y="4" width="${sx(opts.spent)}" height="10" />
    ${
      opts.p10 != null && opts.p90 != null
        ? html`<line class="whisker" x1="${sx(opts.p10)}" x2="${sx(opts.p90)}" y1="9" y2="9" />`
        : ''
    }${fc != null ? html`<rect class="${fc > opts.amount ? 'fc over' : 'fc'}" x="${(Number(sx(fc)) - 1.5).toFixed(1)}" y="1" width="3" height="16" />` : ''}
    <line class="limit" x1="${sx(opts.amount)}" x2="${sx(opts.amount)}" y1="0" y2="${h}" />
  </svg>`;
}

/** Horizontal stacked bars, one row per label (teams, apps): readable names, no rotated text. */
export function horizontalBars(opts: {
  title: string;
  desc: string;
  labels: readonly string[];
  series: readonly StackSeries[];
  format: (v: number) => string;
  /** The currency of the values (axis labels name it). */
  currency: string;
}): Html {
  const W = W_DEFAULT;
  const currency = opts.currency;
  const rowH = 26;
  const left = 150;
  const height = PAD.top + rowH * opts.labels.length + PAD.bottom;
  const totals = opts.labels.map((_, i) =>
    opts.series.reduce((s, r) => s + Math.max(0, r.values[i] ?? 0), 0),
  );
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1] ?? 1;
  const x = (v: number) => left + (v / top) * (W - left - PAD.right);
  const rows = opts.labels.map((l, i) => {
    let acc = 0;
    const y = PAD.top + rowH * i;
    return html`<text x="${left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end" class="label"
        >${l.length > 22 ? `${l.slice(0, 21)}…` : l}</text
      >${opts.series.map((s, si) => {
        const v = Math.max(0, s.values[i] ?? 0);
        if (v === 0) return '';
        const x0 = x(acc);
        acc += v;
        return html`<rect
          class="${seriesClass(si, s.name)}"
          x="${x0.toFixed(1)}"
          y="${y + 4}"
          width="${Math.max(0.5, x(acc) - x0).toFixed(1)}"
          height="${rowH - 8}"
          ><title>${l} · ${s.name}: ${opts.format(v)}</title></rect
        >`;
      })}`;
  });
  const axis = html`<g class="axis"
    >${ticks.map(
      (t) =>
        html`<line x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${height - PAD.bottom}" class="grid" /><text
            x="${x(t)}"
            y="${height - 8}"
            text-anchor="middle"
            >${axisUsd(t, currency)}</text
          >`,
    )}</g
  >`;
  return frame(opts.title, opts.desc, W, height, html`${axis}${rows}`);
}

/** The colour key of stacked series. */
export function legend(series: readonly StackSeries[]): Html {
  return html`<ul class="legend">
    ${series.map((s, i) => html`<li><span class="sw ${seriesClass(i, s.name)}"></span>${s.name}</li>`)}
  </ul>`;
}

/** A chart's numbers as a table in a disclosure, for screen readers and for reading exact-ish values. */
export function chartData(
  bucketLabel: string,
  buckets: readonly string[],
  series: readonly StackSeries[],
  currency: string,
): Html {
  return html`<details>
    <summary>Chart data (${buckets.length} rows, rounded to cents)</summary>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">${bucketLabel}</th>
            ${series.map((s) => html`<th scope="col" class="num">${s.name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${buckets.map(
            (b, i) =>
              html`<tr>
                <th scope="row">${b}</th>
                ${series.map((s) => html`<td class="num">${usdEstimate(s.values[i] ?? 0, currency)}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </details>`;
}
