/**
 * /anomalies: incidents with their root cause (the dimension values that explain the change) and a triage
 * state; admins and team leads acknowledge, resolve or reopen them. Long windows hold hundreds of rows, so
 * the list pages by 25.
 */
import type { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { addDays, isDay } from './_dates.js';
import { asObject, currencyOf, stateOf, type Anomaly, type AnomaliesDoc } from './_docs.js';
import { count, usdText, when } from './_format.js';
import { html, queryString, type Html } from './_html.js';
import { csrfField, messageBox } from './_layout.js';
import { page, post, type WebEnv } from './_handler.js';
import type { PageReq, PageResult } from './_page.js';
import { canTriageAnomalies } from './_roles.js';
import { dataTable } from './_table.js';
import type { WebDeps } from './_types.js';

const PAGE_SIZE = 25;
const STATES = ['open', 'new', 'acknowledged', 'resolved', 'all'] as const;
type StateFilter = (typeof STATES)[number];
const SEVERITIES = ['low', 'medium', 'high'] as const;

/** "14:00–17:00 UTC" for incidents within a day, "3 days" for longer ones, "ongoing" for idle capacity. */
function span(a: Anomaly): string {
  if (a.ongoing) return 'ongoing';
  const hours = Math.round((Date.parse(a.end) - Date.parse(a.start)) / 3_600_000);
  if (hours < 24) return `${a.start.slice(11, 16)}–${a.end.slice(11, 16)} UTC`;
  const days = Math.max(1, Math.round(hours / 24));
  return days === 1 ? '1 day' : `${days} days`;
}

/** An incident's impact in the report's currency (`cur`), exact to the cent as the report gives it. */
function impact(a: Anomaly, cur: string): Html {
  if (a.wastePerDayUsd)
    return html`${usdText(a.wastePerDayUsd, cur)}/day<br /><span class="small muted"
        >${usdText(a.impactUsd, cur)} so far</span
      >`;
  if (typeof a.impactTokens === 'number')
    return html`${a.impactTokens > 0 ? '+' : ''}${count(Math.round(a.impactTokens))} tokens`;
  return html`${usdText(a.impactUsd, cur)}`;
}

function triage(r: PageReq, a: Anomaly, back: string): Html {
  const state = stateOf(a);
  const button = (to: string, label: string, cls = 'secondary') =>
    html`<form class="inline" method="post" action="/anomalies/state">
      ${csrfField(r.csrf)}<input type="hidden" name="id" value="${a.id}" /><input
        type="hidden"
        name="state"
        value="${to}"
      /><input type="hidden" name="back" value="${back}" /><button type="submit" class="${cls}">
        ${label}
      </button>
    </form>`;
  return html`${state === 'new' ? button('acknowledged', 'Acknowledge') : ''}${state !== 'resolved' ? button('resolved', 'Resolve') : button('new', 'Reopen')}`;
}

function stateCell(a: Anomaly): Html {
  const s = stateOf(a);
  return html`<span class="badge ${s}">${s}</span
    >${a.stateBy ? html`<br /><span class="small muted">${a.stateBy}, ${when(a.stateAt)}</span>` : ''}`;
}

async function anomaliesPage(r: PageReq): Promise<PageResult> {
  const from = r.query('from') ?? addDays(r.today, -30);
  const to = r.query('to') ?? addDays(r.today, 1);
  if (!isDay(from) || !isDay(to) || to <= from)
    throw new TallyError('invalid_input', 'Choose a start date before the end date (YYYY-MM-DD).');
  const stateQ = r.query('state');
  const state: StateFilter = STATES.includes(stateQ as StateFilter) ? (stateQ as StateFilter) : 'open';
  const severity = r.query('severity');
  const pageNo = Math.max(1, Math.floor(Number(r.query('page') ?? '1')) || 1);
  const doc = asObject<AnomaliesDoc>(await r.report('anomalies', { from, to }), 'anomalies', 'incidents');
  const cur = currencyOf(doc);
  const all = [...doc.incidents].sort(
    (a, b) => b.start.localeCompare(a.start) || Math.abs(Number(b.impactUsd)) - Math.abs(Number(a.impactUsd)),
  );
  const shown = all.filter(
    (a) =>
      (state === 'all' || (state === 'open' ? stateOf(a) !== 'resolved' : stateOf(a) === state)) &&
      (!severity || a.severity === severity),
  );
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const slice = shown.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
  const params = { from, to, state, severity };
  const back = `/anomalies${queryString({ ...params, page: String(pageNo) })}`;
  const triageOk = canTriageAnomalies(r.user);
  const sel = (on: boolean) => (on ? html` selected` : '');
  const body = html`<h1>Anomalies</h1>
    <p class="lede">
      ${count(shown.length)} of ${count(all.length)} incidents from ${from} to ${addDays(to, -1)}. One row per
      event, with every scope it was seen at; root cause: the most specific scope whose rows explain the
      change.
    </p>
    ${r.query('done') ? messageBox('notice', 'State saved.') : ''}
    <section class="card no-print">
      <form class="filters" method="get" action="/anomalies" data-autosubmit>
        <label>From <input type="date" name="from" value="${from}" required /></label>
        <label>To (not included) <input type="date" name="to" value="${to}" required /></label>
        <label
          >State
          <select name="state">
            ${STATES.map((s) => html`<option value="${s}" ${sel(s === state)}>${s}</option>`)}
          </select></label
        >
        <label
          >Severity
          <select name="severity">
            <option value="">any</option>
            ${SEVERITIES.map((d) => html`<option value="${d}" ${sel(d === severity)}>${d}</option>`)}
          </select></label
        >
        <button type="submit">Show</button>
      </form>
    </section>
    <section class="card">
      ${dataTable<Anomaly>({
        columns: [
          {
            label: 'When',
            cell: (a) =>
              html`<span class="nowrap">${a.start.slice(0, 10)}</span><br /><span class="small muted nowrap"
                  >${span(a)}</span
                >`,
          },
          {
            label: 'Root cause',
            cls: 'wide',
            cell: (a) =>
              html`<strong>${a.rootCause}</strong><br /><span class="small muted"
                  >${a.severity} ${a.kind}${a.reopened ? ', reopened' : ''}</span
                >`,
          },
          { label: 'Impact', num: true, cell: (a) => impact(a, cur) },
          {
            label: 'Seen at',
            cell: (a) => html`<span class="small">${a.scopes.join('; ')}</span>`,
          },
          { label: 'State', cell: stateCell },
          ...(triageOk ? [{ label: 'Triage', cls: 'nowrap', cell: (a: Anomaly) => triage(r, a, back) }] : []),
        ],
        rows: slice,
        empty: 'No incidents match.',
      })}
      ${pages > 1 ? html`<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="/anomalies${queryString({ ...params, page: String(pageNo - 1) })}">← Newer</a>` : ''}<span>Page ${pageNo} of ${pages}</span>${pageNo < pages ? html`<a href="/anomalies${queryString({ ...params, page: String(pageNo + 1) })}">Older →</a>` : ''}</nav>` : ''}
    </section>`;
  return { title: 'Anomalies', body };
}

/** Registers GET /anomalies and POST /anomalies/state. */
export function anomalyRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/anomalies', page(deps, anomaliesPage));
  app.post(
    '/anomalies/state',
    post(deps, '/anomalies', async (r, f) => {
      const params: Record<string, string> = { id: f['id'] ?? '', state: f['state'] ?? '' };
      if (f['note']) params['note'] = f['note'];
      await deps.action('anomaly-state', params, r.user);
      const back = f['back'] ?? '/anomalies';
      return `${back}${back.includes('?') ? '&' : '?'}done=1`;
    }),
  );
}
