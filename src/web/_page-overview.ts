/**
 * /: the month at a glance: spend so far (its complete days against the same days last month), the forecast to
 * month end on the cost basis budgets use with its p10–p90 band, budgets, the teams that moved most, open anomalies and data freshness.
 * Sections load in parallel and fail alone: a report the user may not read shows its message in its card.
 */
import { TallyError } from '../core/index.js';
import { sumCostRows } from '../ingest/index.js';
import { addDays, daysBetween, monthName, monthStart, previousWindow } from './_dates.js';
import { bandChart } from './_charts.js';
import {
  asList,
  asObject,
  currencyOf,
  stateOf,
  type Anomaly,
  type AnomaliesDoc,
  type BudgetRow,
  type ChargebackDoc,
  type ChargebackRow,
  type ForecastDoc,
} from './_docs.js';
import { change, changePct, count, sumMoney, usd, usdEstimate, usdText, when } from './_format.js';
import { html, type Html } from './_html.js';
import { settle, type PageReq, type PageResult, type Settled } from './_page.js';
import { budgetTable } from './_budget-table.js';
import { freshnessCard } from './_freshness.js';
import { bandLegend, defaultScope, forecastTable, loadForecast } from './_page-forecast.js';
import { canReadOrg } from './_roles.js';
import { dataTable, moneyColumn } from './_table.js';

function failed(title: string, s: Settled<unknown>): Html | null {
  return s.ok
    ? null
    : html`<section class="card error">
        <h2>${title}</h2>
        <p>${s.error.message}</p>
      </section>`;
}

// Rows stay per billing currency; the totals add their reporting-currency amounts, never two currencies.
function total(doc: unknown, key: 'effectiveCost' | 'billedCost'): string {
  return sumCostRows(asList<Record<string, unknown>>(doc, 'costs'), key).total ?? '0';
}

/** The currency of a costs report's total (the reporting currency, or the rows' one billing currency). */
function totalCurrency(doc: unknown): string {
  return sumCostRows(asList<Record<string, unknown>>(doc, 'costs'), 'effectiveCost').currency ?? 'USD';
}

/** A costs report whose rows cannot be added in one currency (a rate is missing) becomes a failed card. */
function inOneCurrency(s: Settled<unknown>): Settled<unknown> {
  if (!s.ok) return s;
  const { reason } = sumCostRows(asList<Record<string, unknown>>(s.value, 'costs'), 'effectiveCost');
  return reason ? { ok: false, error: new TallyError('conflict', `not added: ${reason}`) } : s;
}

function kpi(label: string, value: Html | string, note: Html | string, href?: string): Html {
  return html`<section class="card kpi">
    <h2 class="label">${href ? html`<a href="${href}">${label}</a>` : label}</h2>
    <p class="value">${value}</p>
    <p class="note">${note}</p>
  </section>`;
}

/** GET / */
export async function overviewPage(r: PageReq): Promise<PageResult> {
  const month = monthStart(r.today);
  const tomorrow = addDays(r.today, 1);
  const mtd = { from: month, to: tomorrow };
  // Today is still accruing (and exports lag), so the change is measured on the month's complete days only,
  // against the same days of last month; on the 1st there is nothing complete to compare yet.
  const done = { from: month, to: r.today };
  const completeDays = daysBetween(month, r.today);
  const prev = previousWindow(done);
  const lastMonth = monthStart(r.today, -1);
  const horizon = daysBetween(r.today, monthStart(r.today, 1));
  // One group (per currency), so each total is the report's own sum, to the nano, as `tally costs` prints it.
  const by = { by: 'BillingCurrency' };
  const scope = defaultScope(r);
  const none = Promise.resolve(null);
  const [curRaw, doneRaw, sameRaw, lastRaw, forecast, budgets, movers, anomalies, fresh] = await Promise.all([
    settle(r.report('costs', { ...mtd, ...by })),
    completeDays > 0 ? settle(r.report('costs', { ...done, ...by })) : none,
    completeDays > 0 ? settle(r.report('costs', { ...prev, ...by })) : none,
    settle(r.report('costs', { from: lastMonth, to: month, ...by })),
    settle(loadForecast(r, scope, horizon, 30)),
    settle(r.report('budgets', {})),
    settle(r.report('chargeback', { period: lastMonth.slice(0, 7), by: 'team' })),
    settle(r.report('anomalies', { from: addDays(r.today, -30), to: tomorrow })),
    // Freshness is org-wide; team-scoped users would only get a 403 card.
    canReadOrg(r.user) ? settle(r.report('freshness', {})) : null,
  ]);

  const [cur, last] = [curRaw, lastRaw].map(inOneCurrency) as [Settled<unknown>, Settled<unknown>];
  const [doneDays, same] = [doneRaw, sameRaw].map((x) => (x ? inOneCurrency(x) : null));
  const days = completeDays === 1 ? 'day 1' : `days 1–${completeDays}`;
  const compared =
    doneDays?.ok && same?.ok
      ? html`${change(changePct(total(doneDays.value, 'effectiveCost'), total(same.value, 'effectiveCost')))}
        vs ${monthName(lastMonth)} over ${days}
        (${usd(total(doneDays.value, 'effectiveCost'), totalCurrency(doneDays.value))} vs
        ${usd(total(same.value, 'effectiveCost'), totalCurrency(same.value))}) · `
      : '';
  const spend = cur.ok
    ? kpi(
        'Spend this month so far',
        usd(total(cur.value, 'effectiveCost'), totalCurrency(cur.value)),
        html`${compared}billed ${usd(total(cur.value, 'billedCost'), totalCurrency(cur.value))}`,
        '/explore?preset=this-month',
      )
    : failed('Spend this month so far', cur);
  const lastKpi = last.ok
    ? kpi(
        `${monthName(lastMonth)}`,
        usd(total(last.value, 'effectiveCost'), totalCurrency(last.value)),
        html`effective cost · billed ${usd(total(last.value, 'billedCost'), totalCurrency(last.value))}`,
        '/explore?preset=last-month',
      )
    : failed(monthName(lastMonth), last);

  const daily = forecast.ok ? forecast.value.daily : [];
  const series = forecast.ok ? forecast.value.series : undefined;
  const fcCurrency = forecast.ok ? forecast.value.currency : 'USD';
  const scopeLabel = scope === 'all' ? '' : ` (${scope})`;
  // Month to date on the forecast's own cost basis (what budgets count), so this KPI is `budgets status`'s figure;
  // the gateway's metered spend only when the report does not carry it.
  const basisMtd = forecast.ok ? forecast.value.monthToDateUsd : undefined;
  const soFar =
    basisMtd ?? Number(sumMoney(daily.filter((d) => String(d['day']) >= month).map((d) => d.costUsd)));
  const fcKpi = series
    ? kpi(
        `Spend by month end${scopeLabel} (forecast)`,
        usdEstimate(soFar + series.total.p50, fcCurrency),
        `p10–p90 ${usdEstimate(soFar + series.total.p10, fcCurrency)} – ${usdEstimate(soFar + series.total.p90, fcCurrency)}; ${usdEstimate(soFar, fcCurrency)} ${basisMtd === undefined ? 'metered' : 'spent'} so far`,
        '/forecast',
      )
    : failed('Forecast', forecast);

  const budgetRows = budgets.ok ? asList<BudgetRow>(budgets.value, 'budgets') : [];
  const atRisk = budgetRows.filter((b) => b.exceeded || (b.forecastUsd ?? 0) > b.amountUsd);
  const budgetKpi = budgets.ok
    ? kpi(
        'Budgets',
        `${atRisk.length} of ${budgetRows.length} at risk`,
        'spent or forecast above the amount this period',
        '/budgets',
      )
    : failed('Budgets', budgets);

  const anomalyCurrency = anomalies.ok ? currencyOf(anomalies.value) : 'USD';
  const open = anomalies.ok
    ? asObject<AnomaliesDoc>(anomalies.value, 'anomalies', 'incidents').incidents.filter(
        (a) => stateOf(a) !== 'resolved',
      )
    : [];
  const anomalyKpi = anomalies.ok
    ? kpi(
        'Open incidents, last 30 days',
        count(open.length),
        `${count(open.filter((a) => stateOf(a) === 'new').length)} not yet acknowledged`,
        '/anomalies',
      )
    : failed('Anomalies', anomalies);

  const body = html`<h1>Overview</h1>
    <p class="lede">
      ${monthName(r.today)} so far (to ${r.today}, UTC). Spend is effective cost from the cost export; the
      forecast is on the same basis (the export, and the gateway's priced usage for the days it has not billed
      yet).
    </p>
    <div class="grid">${spend}${lastKpi}${fcKpi}${budgetKpi}${anomalyKpi}</div>
    <div class="cols">
      ${series && forecast.ok ? forecastCard(forecast.value, series) : failed('Spend and forecast', forecast)}
      ${anomalies.ok ? anomaliesCard(open, anomalyCurrency) : ''}
    </div>
    <div class="cols">
      ${budgets.ok ? budgetCard(budgetRows) : ''}
      ${movers.ok ? moversCard(asObject<ChargebackDoc>(movers.value, 'chargeback', 'rows')) : failed('Top movers', movers)}
    </div>
    ${fresh === null ? '' : fresh.ok ? freshnessCard(fresh.value, r.now) : failed('Data freshness', fresh)}`;
  return { title: 'Overview', body };
}

function forecastCard(
  f: { actual: { x: string; y: number }[]; currency: string; onBasis: boolean },
  s: ForecastDoc['series'][number],
): Html {
  const what = f.onBasis ? 'Spend' : 'Metered spend';
  return html`<section class="card" aria-labelledby="fc-h">
    <h2 id="fc-h">${what} per day and forecast</h2>
    ${bandChart({
      title: `${what} per day, last 30 days, and forecast to month end`,
      desc: `Solid line: ${what.toLowerCase()} per day. Dashed line: forecast median; shaded: p10 to p90. Forecast total ${usdEstimate(s.total.p50, f.currency)}.`,
      actual: f.actual,
      forecast: s.points.map((p) => ({ x: p.timestamp, p10: p.p10, p50: p.p50, p90: p.p90 })),
      currency: f.currency,
      height: 240,
      width: 600,
    })}
    ${bandLegend(f.onBasis)}
    <details>
      <summary>Forecast table</summary>
      ${forecastTable(s, f.currency)}
    </details>
  </section>`;
}

function budgetCard(rows: BudgetRow[]): Html {
  // The budgets closest to (or past) their amount, by spend and then by forecast.
  const risk = (b: BudgetRow) => Math.max(b.spentUsd, b.forecastUsd ?? 0) / (b.amountUsd || 1);
  const shown = [...rows].sort((a, b) => risk(b) - risk(a)).slice(0, 4);
  return html`<section class="card" aria-labelledby="bu-h">
    <h2 id="bu-h">Budgets</h2>
    ${budgetTable(shown)}
    ${rows.length > shown.length ? html`<p><a href="/budgets">All ${rows.length} budgets</a></p>` : ''}
  </section>`;
}

function moversCard(doc: ChargebackDoc): Html {
  const rows = [...doc.rows]
    .sort((a, b) => Math.abs(b.changeUsd ?? 0) - Math.abs(a.changeUsd ?? 0))
    .slice(0, 5);
  return html`<section class="card" aria-labelledby="mv-h">
    <h2 id="mv-h">Top movers: ${monthName(doc.period)} vs the month before</h2>
    ${dataTable<ChargebackRow>({
      columns: [
        {
          label: 'Team',
          cell: (t) =>
            html`<a href="/teams/${encodeURIComponent(String(t['team']))}?period=${doc.period}"
              >${String(t['team'])}</a
            >`,
        },
        moneyColumn('Total', (t) => t.totalCostUsd, currencyOf(doc)),
        moneyColumn('Change', (t) => t.changeUsd, currencyOf(doc)),
        { label: '%', num: true, cell: (t) => change(t.changePct) },
      ],
      rows,
    })}
    <p><a href="/teams?period=${doc.period}">Chargeback for ${monthName(doc.period)}</a></p>
  </section>`;
}

function anomaliesCard(open: readonly Anomaly[], currency: string): Html {
  const top = [...open]
    .sort((x, y) => Math.abs(Number(y.impactUsd)) - Math.abs(Number(x.impactUsd)))
    .slice(0, 5)
    .map((a) => ({ a }));
  return html`<section class="card" aria-labelledby="an-h">
    <h2 id="an-h">Largest open incidents</h2>
    ${dataTable({
      columns: [
        { label: 'When', cell: ({ a }) => when(a.start) },
        {
          label: 'Root cause',
          cell: ({ a }) =>
            html`${a.rootCause}
              <span class="muted small"
                >${a.severity}
                ${a.kind}${a.scopes.length > 1 ? `, seen in ${a.scopes.length} scopes` : ''}</span
              >`,
        },
        {
          label: 'Impact',
          num: true,
          cell: ({ a }) =>
            a.wastePerDayUsd
              ? `${usdText(a.impactUsd, currency)} (${usdText(a.wastePerDayUsd, currency)}/day)`
              : usdText(a.impactUsd, currency),
        },
        { label: 'State', cell: ({ a }) => html`<span class="badge ${stateOf(a)}">${stateOf(a)}</span>` },
      ],
      rows: top,
      empty: 'No open incidents in the last 30 days.',
    })}
    <p><a href="/anomalies">All anomalies</a></p>
  </section>`;
}
