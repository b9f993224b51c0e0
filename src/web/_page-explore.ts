/** /explore: spend over time stacked by any dimension, with filters, presets, comparison, a table and its CSV. */
import { presetWindow, PRESETS, type Preset } from './_dates.js';
import { axisUsd, chartData, legend, stackedBars } from './_charts.js';
import { change, changePct, count, sumMoney, usd } from './_format.js';
import { html, type Html, type HtmlValue } from './_html.js';
import type { PageReq, PageResult } from './_page.js';
import { moneyColumn, dataTable, tableCsv, type Column } from './_table.js';
import {
  chartSeries,
  costAmounts,
  compareWindow,
  comparedWindow,
  costRows,
  costsParams,
  DIMENSIONS,
  exploreParams,
  groupRows,
  hasBuckets,
  lastDay,
  lateStart,
  METRICS,
  parseExplore,
  type ExploreQuery,
  type GroupRow,
} from './_explore-model.js';

const BUCKET = { day: 'Day', week: 'Week', month: 'Month' } as const;
const METRIC_LABEL = { billed: 'Billed cost', effective: 'Effective cost', list: 'List cost' } as const;

/** The table's columns; the CSV is written from the same list, so both always agree. */
function columns(q: ExploreQuery, currency: string, comparable = true): Column<GroupRow>[] {
  const dim = DIMENSIONS.find((d) => d.col === q.by)?.label ?? q.by;
  const cols: Column<GroupRow>[] = [
    {
      label: dim,
      cell: (g) =>
        g.group === null
          ? html`<span class="muted">(none)</span>`
          : html`<a
              href="/explore?${exploreParams(q, { filters: [...q.filters, `${q.by}=${g.group}`] }).toString()}"
              title="Only ${g.group}"
              >${g.group}</a
            >`,
      csv: (g) => g.group ?? '',
    },
    moneyColumn('Billed cost', (g) => g.billedCost, currency),
    moneyColumn('Effective cost', (g) => g.effectiveCost, currency),
    moneyColumn('List cost', (g) => g.listCost, currency),
    { label: 'Cost rows', num: true, cell: (g) => count(g.rows), csv: (g) => g.rows },
  ];
  if (q.compare)
    cols.push(
      moneyColumn(`Previous ${METRIC_LABEL[q.metric].toLowerCase()}`, (g) => g.previous, currency),
      {
        label: 'Change',
        num: true,
        cell: (g) => change(groupChange(q, g, comparable)),
        csv: (g) => {
          const c = groupChange(q, g, comparable);
          return c === null ? null : Number(c.toFixed(2));
        },
      },
    );
  return cols;
}

/** A group's change over the compared days; null without a complete day to compare. */
function groupChange(q: ExploreQuery, g: GroupRow, comparable: boolean): number | null {
  return comparable ? changePct(g.compared ?? g[METRICS[q.metric]], g.previous) : null;
}

async function load(r: PageReq, q: ExploreQuery) {
  // With a partial today in the window, the change is measured on the complete days (a third read).
  const done = q.compare ? comparedWindow(q, r.today) : null;
  const partial = q.compare && (done === null || done.to !== q.to);
  const [cur, prev, comp] = await Promise.all([
    r.report('costs', costsParams(q)),
    q.compare ? r.report('costs', costsParams(q, compareWindow(q, r.today))) : Promise.resolve(undefined),
    partial && done ? r.report('costs', costsParams(q, done)) : Promise.resolve(undefined),
  ]);
  const rows = costRows(cur);
  const previous = prev === undefined ? undefined : costRows(prev);
  const compared = !partial ? undefined : comp === undefined ? [] : costRows(comp);
  const currency = rows.length ? costAmounts(rows).currency : 'USD';
  const comparable = !partial || done !== null;
  const prevStart = previous ? lateStart(compareWindow(q, r.today), q.granularity, previous) : null;
  return {
    rows,
    groups: groupRows(q, rows, previous, compared),
    currency,
    done,
    partial,
    comparable,
    prevStart,
  };
}

function presetLinks(q: ExploreQuery, today: string): Html {
  return html`<p class="small">
    Quick ranges:
    ${(Object.keys(PRESETS) as Preset[]).map((p, i) => {
      const w = presetWindow(p, today);
      const current = w.from === q.from && w.to === q.to;
      return html`${i ? ' · ' : ''}<a
          href="/explore?${exploreParams(q, w).toString()}"
          ${current ? html` aria-current="true"` : ''}
          >${PRESETS[p]}</a
        >`;
    })}
  </p>`;
}

function form(q: ExploreQuery, today: string): Html {
  const dims = DIMENSIONS.some((d) => d.col === q.by)
    ? DIMENSIONS
    : [...DIMENSIONS, { col: q.by, label: q.by }];
  const sel = (on: boolean) => (on ? html` selected` : '');
  return html`<form class="filters" method="get" action="/explore" data-autosubmit>
      <label>From <input type="date" name="from" value="${q.from}" required /></label>
      <label>To (not included) <input type="date" name="to" value="${q.to}" required /></label>
      <label
        >Granularity
        <select name="granularity">
          ${(['day', 'week', 'month'] as const).map(
            (g) => html`<option value="${g}" ${sel(q.granularity === g)}>${BUCKET[g]}</option>`,
          )}
        </select></label
      >
      <label
        >Group by
        <select name="by">
          ${dims.map((d) => html`<option value="${d.col}" ${sel(d.col === q.by)}>${d.label}</option>`)}
        </select></label
      >
      <label
        >Metric
        <select name="metric">
          ${(Object.keys(METRIC_LABEL) as (keyof typeof METRIC_LABEL)[]).map((m) => html`<option value="${m}" ${sel(m === q.metric)}>${METRIC_LABEL[m]}</option>`)}
        </select></label
      >
      <label>Add filter <input type="text" name="filter" placeholder="x_AiModel=gpt-4o" size="18" /></label>
      ${q.filters.map((f) => html`<input type="hidden" name="filter" value="${f}" />`)}
      <label class="check"
        ><input type="checkbox" name="compare" value="1" ${q.compare ? html` checked` : ''} /> Compare with
        previous period</label
      >
      <label class="check"
        ><input type="checkbox" name="ai" value="1" ${q.aiOnly ? html` checked` : ''} /> AI spend only</label
      >
      <button type="submit">Apply</button>
    </form>
    ${presetLinks(q, today)}${
      q.filters.length
        ? html`<ul class="chips" aria-label="Active filters">
            ${q.filters.map(
              (f) =>
                html`<li>
                  <a
                    href="/explore?${exploreParams(q, { filters: q.filters.filter((x) => x !== f) }).toString()}"
                    aria-label="Remove filter ${f}"
                    >${f} ✕</a
                  >
                </li>`,
            )}
          </ul>`
        : ''
    }`;
}

function chart(
  q: ExploreQuery,
  rows: ReturnType<typeof costRows>,
  groups: GroupRow[],
  currency: string,
): Html {
  if (!hasBuckets(rows))
    return html`<p class="muted">
      No spend over time to draw for this selection${rows.length ? ' (the report has no time buckets)' : ''}.
    </p>`;
  const { buckets, series } = chartSeries(q, rows, groups);
  const label = METRIC_LABEL[q.metric];
  const data = chartData(`${BUCKET[q.granularity]} starting`, buckets, series, currency);
  return html`${stackedBars({
    title: `${label} per ${q.granularity}, ${q.from} to ${lastDay(q)}, by ${q.by}`,
    desc: `Stacked bars of ${label.toLowerCase()} for the top ${Math.min(8, groups.length)} values of ${q.by}; the table below has the exact totals.`,
    buckets,
    series,
    format: (v) => axisUsd(v, currency),
    currency,
  })}${legend(series)}${data}`;
}

/** GET /explore */
export async function explorePage(r: PageReq): Promise<PageResult> {
  const q = parseExplore(r);
  const { rows, groups, currency, done, partial, comparable, prevStart } = await load(r, q);
  const cols = columns(q, currency, comparable);
  const prevW = compareWindow(q, r.today);
  const total = (k: 'billedCost' | 'effectiveCost' | 'listCost' | 'previous' | 'compared') =>
    sumMoney(groups.map((g) => g[k]).filter((v) => v !== null));
  const foot: HtmlValue[] = [
    'Total',
    usd(total('billedCost'), currency),
    usd(total('effectiveCost'), currency),
    usd(total('listCost'), currency),
  ];
  foot.push(count(groups.reduce((s, g) => s + g.rows, 0)));
  if (q.compare)
    foot.push(
      usd(total('previous'), currency),
      change(
        comparable
          ? changePct(partial ? total('compared') : total(METRICS[q.metric]), total('previous'))
          : null,
      ),
    );
  const body = html`<h1>Spend explorer</h1>
    <p class="lede">
      ${METRIC_LABEL[q.metric]} from ${q.from} to
      ${lastDay(q)}${q.compare ? html`, compared with ${prevW.from} to ${lastDay(prevW)}` : ''}.${
        partial
          ? done
            ? html` Today (${r.today}) is not complete yet: the change compares ${done.from} to
              ${lastDay(done)} with the same number of days before.`
            : html` Today (${r.today}) is not complete yet: there is no complete day to compare.`
          : ''
      }${
        prevStart
          ? html` The previous period has cost rows from ${prevStart} only, so the change overstates growth.`
          : ''
      }
    </p>
    <section class="card no-print" aria-label="Filters">${form(q, r.today)}</section>
    <section class="card" aria-labelledby="chart-h">
      <h2 id="chart-h">${METRIC_LABEL[q.metric]} over time</h2>
      ${chart(q, rows, groups, currency)}
    </section>
    <section class="card" aria-labelledby="table-h">
      <h2 id="table-h">By ${DIMENSIONS.find((d) => d.col === q.by)?.label ?? q.by}</h2>
      ${dataTable({ columns: cols, rows: groups, foot })}
      <p><a href="/explore.csv?${exploreParams(q).toString()}" download>Download this table as CSV</a></p>
    </section>`;
  return { title: 'Spend explorer', body };
}

/** GET /explore.csv: the explorer's table as CSV, the same rows and values. */
export async function exploreCsv(r: PageReq): Promise<Response> {
  const q = parseExplore(r);
  const { groups, currency, comparable } = await load(r, q);
  const name = `tally-costs-${q.by}-${q.from}-to-${lastDay(q)}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return new Response(tableCsv(columns(q, currency, comparable), groups), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
