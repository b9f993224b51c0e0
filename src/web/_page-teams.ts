/** /teams: chargeback per team (direct plus allocated shared cost); /teams/:team: one team's month in detail. */
import { TallyError } from '../core/index.js';
import { axisUsd, chartData, horizontalBars, legend, stackedBars } from './_charts.js';
import { buckets, monthName, monthStart } from './_dates.js';
import {
  asList,
  asObject,
  currencyOf,
  LEDGER_CURRENCY,
  type BudgetRow,
  type ChargebackDoc,
  type ChargebackRow,
  type UsageRow,
} from './_docs.js';
import { change, count, usd } from './_format.js';
import { html, type Html } from './_html.js';
import { budgetTable } from './_budget-table.js';
import { monthForm, periodOf } from './_month.js';
import { settle, type PageReq, type PageResult } from './_page.js';
import { dataTable, moneyColumn } from './_table.js';
import { teamsLabel } from './_roles.js';
import {
  chartSeries,
  costAmounts,
  costRows,
  costsParams,
  exploreParams,
  groupRows,
  hasBuckets,
  type ExploreQuery,
} from './_explore-model.js';

const VIEWS = { team: 'Team', 'cost-center': 'Cost center', app: 'App', environment: 'Environment' } as const;
type View = keyof typeof VIEWS;

function groupOf(row: ChargebackRow, by: string): string {
  const v = row[by] ?? row[by.replace('-', '')] ?? row['costCenter'] ?? row['group'];
  return v === null || v === undefined ? '(unallocated)' : String(v);
}

/** GET /teams */
export async function teamsPage(r: PageReq): Promise<PageResult> {
  const period = periodOf(r);
  const byParam = r.query('by');
  const by: View = byParam && byParam in VIEWS ? (byParam as View) : 'team';
  const doc = asObject<ChargebackDoc>(await r.report('chargeback', { period, by }), 'chargeback', 'rows');
  const labels = doc.rows.map((row) => groupOf(row, by));
  const cur = currencyOf(doc);
  const select = html`<label
    >Group by
    <select name="by">
      ${(Object.keys(VIEWS) as View[]).map(
        (v) => html`<option value="${v}" ${v === by ? html` selected` : ''}>${VIEWS[v]}</option>`,
      )}
    </select></label
  >`;
  const body = html`<h1>Chargeback by ${VIEWS[by].toLowerCase()}</h1>
    <p class="lede">
      ${monthName(period)}: direct spend plus each group's allocated share of shared costs (provisioned
      throughput, hosting, search). Total
      ${usd(doc.totalCostUsd, cur)}${doc.previousTotalCostUsd != null ? html`, previous month ${usd(doc.previousTotalCostUsd, cur)}` : ''}.
    </p>
    <section class="card no-print">${monthForm('/teams', period, {}, select)}</section>
    <section class="card" aria-labelledby="cb-chart">
      <h2 id="cb-chart">Direct and shared cost</h2>
      ${horizontalBars({
        title: `Chargeback by ${by}, ${period}`,
        desc: 'Each bar is one group: direct cost, then allocated shared cost. Exact amounts are in the table below.',
        labels,
        series: [
          { name: 'direct', values: doc.rows.map((x) => x.directCostUsd) },
          { name: 'shared', values: doc.rows.map((x) => x.sharedCostUsd) },
        ],
        format: (v) => axisUsd(v, cur),
        currency: cur,
      })}
      <ul class="legend">
        <li><span class="sw s0"></span>direct</li>
        <li><span class="sw s1"></span>allocated shared</li>
      </ul>
    </section>
    <section class="card" aria-labelledby="cb-table">
      <h2 id="cb-table">Chargeback table</h2>
      ${dataTable<ChargebackRow>({
        columns: [
          {
            label: VIEWS[by],
            cell: (x) =>
              by === 'team'
                ? html`<a href="/teams/${encodeURIComponent(groupOf(x, by))}?period=${period}"
                    >${groupOf(x, by)}</a
                  >`
                : groupOf(x, by),
          },
          moneyColumn('Direct', (x) => x.directCostUsd, cur),
          moneyColumn('Shared (allocated)', (x) => x.sharedCostUsd, cur),
          moneyColumn('Total', (x) => x.totalCostUsd, cur),
          {
            label: 'Share',
            num: true,
            cell: (x) => (typeof x.shareOfTotal === 'number' ? `${(x.shareOfTotal * 100).toFixed(1)}%` : '–'),
          },
          moneyColumn('Previous month', (x) => x.previousTotalCostUsd, cur),
          { label: 'Change', num: true, cell: (x) => change(x.changePct) },
        ],
        rows: doc.rows,
        foot: [
          'Total',
          '',
          '',
          usd(doc.totalCostUsd, cur),
          '',
          doc.previousTotalCostUsd != null ? usd(doc.previousTotalCostUsd, cur) : '',
          '',
        ],
      })}
      ${doc.unallocatedCostUsd ? html`<p class="small">Unallocated: ${usd(doc.unallocatedCostUsd, cur)}</p>` : ''}
    </section>`;
  return { title: 'Teams', body };
}

/** GET /teams/:team */
export async function teamPage(r: PageReq): Promise<PageResult> {
  const team = r.params['team'] ?? '';
  if (r.user.teams.length > 0 && !r.user.teams.includes(team))
    throw new TallyError('forbidden', `You can see only ${teamsLabel(r.user)}, not team "${team}".`);
  const period = periodOf(r);
  const from = `${period}-01`;
  const to = monthStart(from, 1);
  // The team's cost rows in the exports, per day by service: what the invoice bills it directly.
  const billedQ: ExploreQuery = {
    from,
    to,
    granularity: 'day',
    by: 'ServiceName',
    metric: 'billed',
    filters: [`team=${team}`],
    compare: false,
    aiOnly: false,
  };
  const [cb, billed, byModel, byDay, budgets] = await Promise.all([
    r.report('chargeback', { period, by: 'team' }),
    settle(r.report('costs', costsParams(billedQ))),
    settle(r.report('usage', { from, to, by: 'team,app,model' })),
    settle(r.report('usage', { from, to, by: 'team,app,day' })),
    settle(r.report('budgets', {})),
  ]);
  const doc = asObject<ChargebackDoc>(cb, 'chargeback', 'rows');
  const row = doc.rows.find((x) => x['team'] === team);
  const cur = currencyOf(doc);
  if (!row)
    throw new TallyError('not_found', `No chargeback for team "${team}" in ${period} that you can see.`);
  const mine = (u: UsageRow) => u['team'] === team;
  const models = byModel.ok ? asList<UsageRow>(byModel.value, 'usage').filter(mine) : [];
  const days = byDay.ok ? asList<UsageRow>(byDay.value, 'usage').filter(mine) : [];
  const teamBudgets = budgets.ok
    ? asList<BudgetRow>(budgets.value, 'budgets').filter((b) => b.scope === `team=${team}`)
    : [];
  const body = html`<p class="small"><a href="/teams?period=${period}">← All teams</a></p>
    <h1>Team ${team}</h1>
    <p class="lede">
      ${monthName(period)}: total ${usd(row.totalCostUsd, cur)} = direct ${usd(row.directCostUsd, cur)} +
      allocated shared ${usd(row.sharedCostUsd, cur)}; ${change(row.changePct)} vs the month
      before${row.previousTotalCostUsd != null ? html` (${usd(row.previousTotalCostUsd, cur)})` : ''}.
    </p>
    <section class="card no-print">${monthForm(`/teams/${encodeURIComponent(team)}`, period)}</section>
    ${billed.ok ? billedByService(billedQ, costRows(billed.value)) : ''}
    ${days.length ? dailyByApp(days, from, to) : ''}
    <section class="card" aria-labelledby="tm-usage">
      <h2 id="tm-usage">Metered usage by app and model</h2>
      ${
        byModel.ok
          ? dataTable<UsageRow>({
              columns: [
                { label: 'App', cell: (u) => String(u['app'] ?? '–') },
                { label: 'Model', cell: (u) => String(u['model'] ?? '–') },
                { label: 'Requests', num: true, cell: (u) => count(u.requests) },
                { label: 'Input tokens', num: true, cell: (u) => count(u['inputTokens']) },
                { label: 'Output tokens', num: true, cell: (u) => count(u['outputTokens']) },
                moneyColumn('Cost', (u) => u.costUsd, LEDGER_CURRENCY),
                moneyColumn('At list price', (u) => u.listCostUsd, LEDGER_CURRENCY),
              ],
              rows: models,
              empty: 'No gateway traffic for this team in the month.',
            })
          : html`<p>${byModel.ok ? '' : byModel.error.message}</p>`
      }
    </section>
    ${
      teamBudgets.length
        ? html`<section class="card">
            <h2>Budgets</h2>
            ${budgetTable(teamBudgets)}
          </section>`
        : ''
    }`;
  return { title: `Team ${team}`, body };
}

function dailyByApp(days: UsageRow[], from: string, to: string): Html {
  const bs = buckets({ from, to }, 'day');
  // A team has a handful of apps; past eight the colours repeat (the table below names every app).
  const apps = [...new Set(days.map((d) => String(d['app'] ?? '(none)')))];
  const series = apps.map((app) => ({
    name: app,
    values: bs.map((b) =>
      days
        .filter((d) => String(d['app'] ?? '(none)') === app && d['day'] === b)
        .reduce((s, d) => s + Number(d.costUsd ?? 0), 0),
    ),
  }));
  return html`<section class="card" aria-labelledby="tm-daily">
    <h2 id="tm-daily">Metered spend per day by app</h2>
    ${stackedBars({ title: 'Metered spend per day by app', desc: 'Stacked bars per day; exact totals per app and model are in the table below.', buckets: bs, series, format: (v) => axisUsd(v, LEDGER_CURRENCY), currency: LEDGER_CURRENCY, height: 220 })}
    ${legend(series)}${chartData('Day', bs, series, LEDGER_CURRENCY)}
  </section>`;
}

/** The team's billed cost per day by service, from the cost exports (the direct part of its chargeback). */
function billedByService(q: ExploreQuery, rows: ReturnType<typeof costRows>): Html | '' {
  if (!rows.length || !hasBuckets(rows)) return '';
  const cur = costAmounts(rows).currency;
  const { buckets: bs, series } = chartSeries(q, rows, groupRows(q, rows));
  return html`<section class="card" aria-labelledby="tm-billed">
    <h2 id="tm-billed">Billed cost per day by service</h2>
    <p class="small">
      The cost rows the exports tag with this team (its direct cost, before shared costs are allocated);
      <a href="/explore?${exploreParams(q).toString()}">open in the explorer</a>.
    </p>
    ${stackedBars({ title: 'Billed cost per day by service', desc: 'Stacked bars per day from the cost exports; the explorer has the exact totals.', buckets: bs, series, format: (v) => axisUsd(v, cur), currency: cur, height: 220 })}
    ${legend(series)}${chartData('Day', bs, series, cur)}
  </section>`;
}
