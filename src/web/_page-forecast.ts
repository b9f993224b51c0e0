/** /forecast: daily metered spend with the forecast median and its p10–p90 band, for all spend or one scope. */
import { TallyError } from '../core/index.js';
import { addDays } from './_dates.js';
import { bandChart } from './_charts.js';
import {
  asList,
  asObject,
  currencyOf,
  type ForecastBacktest,
  type ForecastDoc,
  type UsageRow,
} from './_docs.js';
import { usdEstimate } from './_format.js';
import { html, type Html } from './_html.js';
import type { PageReq, PageResult } from './_page.js';
import { dataTable } from './_table.js';

const HORIZONS = [7, 14, 30, 60, 90] as const;
// Forecast scopes (as `tally forecast --scope`) and the usage column that holds the same value.
const SCOPE_COLUMN = {
  team: 'team',
  app: 'app',
  model: 'model',
  key: 'keyId',
  cost_center: 'costCenter',
} as const;
type ScopeKind = keyof typeof SCOPE_COLUMN;

function parseScope(s: string | undefined): { text: string; kind: ScopeKind | null; value: string } {
  if (!s || s === 'all') return { text: 'all', kind: null, value: '' };
  const [kind = '', ...rest] = s.split('=');
  const value = rest.join('=');
  if (!(kind in SCOPE_COLUMN) || !value)
    throw new TallyError(
      'invalid_input',
      `Scope "${s}" is not "all" or one of team=, app=, model=, key=, cost_center= with a value.`,
    );
  return { text: s, kind: kind as ScopeKind, value };
}

/** The default scope: all spend, or a team-scoped user's first team (the API forecasts only their teams). */
export function defaultScope(r: PageReq): string {
  const team = r.user.teams[0];
  return team === undefined ? 'all' : `team=${team}`;
}

/** A scope's forecast and its metered spend per day over the last `historyDays` (complete days). */
export async function loadForecast(r: PageReq, scopeText: string, horizon: number, historyDays: number) {
  const scope = parseScope(scopeText);
  const column = scope.kind ? SCOPE_COLUMN[scope.kind] : null;
  const [fc, usage] = await Promise.all([
    r.report('forecast', { scope: scope.text, horizon: String(horizon) }),
    r.report('usage', {
      from: addDays(r.today, -historyDays),
      to: r.today,
      by: column ? `${column},day` : 'day',
    }),
  ]);
  const doc = asObject<ForecastDoc>(fc, 'forecast', 'series');
  const series = doc.series[0];
  if (!series) throw new TallyError('not_found', `No forecast for ${scope.text}.`);
  const daily = asList<UsageRow>(usage, 'usage')
    .filter((u) => !column || String(u[column]) === scope.value)
    .sort((a, b) => String(a['day']).localeCompare(String(b['day'])));
  // The forecast's own history (its basis and currency) when the report carries it: the gateway's metered
  // spend is USD and only the ledger's part of the bill, so it would not be on the forecast's scale.
  const since = addDays(r.today, -historyDays);
  const actual = doc.history
    ? doc.history.filter((p) => p.timestamp >= since).map((p) => ({ x: p.timestamp, y: Number(p.value) }))
    : daily.map((u) => ({ x: String(u['day']), y: Number(u.costUsd ?? 0) }));
  return {
    scope,
    series,
    currency: currencyOf(doc),
    onBasis: doc.history !== undefined,
    monthToDateUsd: doc.monthToDateUsd,
    daily,
    actual,
  };
}

/** GET /forecast */
export async function forecastPage(r: PageReq): Promise<PageResult> {
  const h = Number(r.query('horizon') ?? '30');
  const horizon = (HORIZONS as readonly number[]).includes(h) ? h : 30;
  const {
    scope,
    series: s,
    actual,
    currency,
    onBasis,
  } = await loadForecast(r, r.query('scope') ?? defaultScope(r), horizon, 60);
  const what = onBasis ? 'Spend' : 'Metered spend';
  const body = html`<h1>Forecast</h1>
    <p class="lede">
      ${what} per day for ${scope.text === 'all' ? 'all teams' : scope.text}, the last 60 days and the next
      ${horizon}, in ${currency}. Model:
      ${s.model ?? '–'}${s.season ? `, weekly season of ${s.season} days` : ''}. Forecasts are estimates and
      are shown rounded.
    </p>
    <section class="card no-print">
      <form class="filters" method="get" action="/forecast" data-autosubmit>
        <label
          >Scope
          <input type="text" name="scope" value="${scope.text}" placeholder="all or team=search" size="20"
        /></label>
        <label
          >Horizon
          <select name="horizon">
            ${HORIZONS.map((d) => html`<option value="${d}" ${d === horizon ? html` selected` : ''}>${d} days</option>`)}
          </select></label
        >
        <button type="submit">Show</button>
      </form>
    </section>
    <section class="card" aria-labelledby="fc-h">
      <h2 id="fc-h">
        Next ${horizon} days: ${usdEstimate(s.total.p50, currency)}
        <span class="muted small"
          >(p10 ${usdEstimate(s.total.p10, currency)}, p90 ${usdEstimate(s.total.p90, currency)})</span
        >
      </h2>
      ${bandChart({
        title: `${what} per day and ${horizon}-day forecast, ${scope.text}`,
        desc: `Solid line: the last 60 days. Dashed: forecast median; shaded band: p10 to p90. Total forecast ${usdEstimate(s.total.p50, currency)}.`,
        actual,
        forecast: s.points.map((p) => ({ x: p.timestamp, p10: p.p10, p50: p.p50, p90: p.p90 })),
        currency,
      })}
      ${bandLegend(onBasis)}
    </section>
    <section class="card" aria-labelledby="fct-h">
      <h2 id="fct-h">Forecast by day</h2>
      ${forecastTable(s, currency)}
    </section>
    ${s.backtest ? backtestCard(s.backtest) : ''}`;
  return { title: 'Forecast', body };
}

/** How the model was chosen: every candidate's rolling-origin backtest scores, as `tally forecast --explain`. */
function backtestCard(b: ForecastBacktest): Html {
  const fixed = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const chosen =
    b.winner === 'combination'
      ? b.members.map((m, i) => `${fixed(b.weights[i] ?? 0, 2)} × ${m}`).join(' + ')
      : b.winner;
  return html`<section class="card" aria-labelledby="fcb-h">
    <h2 id="fcb-h">How the model was chosen</h2>
    <p class="muted small">
      Each candidate forecast ${b.horizon} days from ${b.origins} past dates (a rolling-origin backtest);
      lower MASE is better, and 80% coverage near 0.80 means honest bands. Chosen: ${chosen}.
    </p>
    ${dataTable({
      columns: [
        {
          label: 'Model',
          cell: (c) => (c.model === b.winner ? html`<strong>${c.model} (chosen)</strong>` : c.model),
        },
        { label: 'MASE', num: true, cell: (c) => fixed(c.mase, 3) },
        { label: 'sMAPE %', num: true, cell: (c) => fixed(c.smape, 2) },
        { label: '80% coverage', num: true, cell: (c) => fixed(c.coverage80, 2) },
      ],
      rows: b.candidates,
    })}
  </section>`;
}

/** The key of a band chart: actual line, forecast median, p10–p90 band. */
export function bandLegend(onBasis = false): Html {
  return html`<ul class="legend">
    <li><span class="sw actual"></span>${onBasis ? 'actual' : 'metered'}</li>
    <li><span class="sw median"></span>forecast (median)</li>
    <li><span class="sw band"></span>p10–p90</li>
  </ul>`;
}

/** A forecast series as a table: p10, median and p90 per step, totals in the footer (estimates, rounded). */
export function forecastTable(s: ForecastDoc['series'][number], currency: string): Html {
  return dataTable({
    columns: [
      { label: 'Day', cell: (p) => p.timestamp },
      { label: 'p10', num: true, cell: (p) => usdEstimate(p.p10, currency) },
      { label: 'Median (p50)', num: true, cell: (p) => usdEstimate(p.p50, currency) },
      { label: 'p90', num: true, cell: (p) => usdEstimate(p.p90, currency) },
    ],
    rows: s.points,
    foot: [
      'Total',
      usdEstimate(s.total.p10, currency),
      usdEstimate(s.total.p50, currency),
      usdEstimate(s.total.p90, currency),
    ],
  });
}
