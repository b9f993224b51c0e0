/**
 * /unit-economics: cost per request, per active user and per business outcome, per app, team or declared group
 * (admins and finance), or per request tag (`?by=feature`, `?by=tag:KEY`; everyone, team-scoped users on their
 * teams' traffic), with the trend.
 */
import { TallyError } from '../core/index.js';
import { monthName } from './_dates.js';
import { asObject, currencyOf } from './_docs.js';
import { change, count, sharePct, usd, usdEstimate } from './_format.js';
import { html, type Html } from './_html.js';
import { orgOnly, type PageReq, type PageResult } from './_page.js';
import { canReadOrg } from './_roles.js';
import { monthForm, periodOf } from './_month.js';
import { dataTable, moneyColumn } from './_table.js';
import { unitFeaturesView, type TagDoc } from './_page-unit-features.js';

interface Outcome {
  metric: string;
  value: number;
  costPerUnitUsd: number | null;
  changePct?: number | null;
}
type Row = Record<string, unknown> & {
  costUsd: number;
  requests: number;
  activeUsers?: number;
  costPerRequestUsd?: number | null;
  costPerActiveUserUsd?: number | null;
  outcomes?: Outcome[];
  revenueUsd?: number | null;
  /** The apps (or groups) the revenue KPI belongs to, and their AI cost: the share covers only them. */
  revenueScopes?: string[];
  revenueCostUsd?: number | null;
  aiCostShareOfRevenue?: number | null;
  trend?: Record<string, number | null>;
};
interface UnitDoc {
  period: string;
  previousPeriod?: string;
  by: string;
  rows: Row[];
  total?: Row;
}

function outcomes(x: Row, cur: string): Html {
  const o = x.outcomes ?? [];
  const why = typeof x['noRatioReason'] === 'string' ? x['noRatioReason'] : null;
  if (!o.length)
    return why ? html`<span class="muted">none: ${why}</span>` : html`<span class="muted">–</span>`;
  return html`${o.map((u, i) => html`${i ? html`<br />` : ''}${u.metric} ${usdEstimate(u.costPerUnitUsd, cur)} each ${change(u.changePct)}`)}`;
}

const TAG_BY = /^(feature|tag:[A-Za-z0-9._-]{1,64})$/;

/** The "By" picker: org-wide scopes for admins and finance, request tags for everyone. */
function bySelect(by: string, org: boolean): Html {
  const options = [...(org ? ['app', 'team', 'group'] : []), 'feature'];
  if (!options.includes(by)) options.push(by);
  return html`<label
    >By
    <select name="by">
      ${options.map((o) => html`<option value="${o}" ${o === by ? html` selected` : ''}>${o}</option>`)}
    </select></label
  >`;
}

/** GET /unit-economics */
export async function unitEconomicsPage(r: PageReq): Promise<PageResult> {
  const period = periodOf(r);
  const org = canReadOrg(r.user);
  const asked = r.query('by');
  const by = asked ?? (org ? 'app' : 'feature');
  const tagged = TAG_BY.test(by);
  if (!tagged && !['app', 'team', 'group'].includes(by))
    throw new TallyError('invalid_input', 'Choose by app, team, group, feature or tag:KEY.');
  if (!tagged && !org) throw orgOnly(`Unit economics by ${by}`);
  const raw = await r.report('unit-economics', asked || !org ? { period, by } : { period });
  const form = monthForm('/unit-economics', period, {}, bySelect(by, org));
  if (tagged) return unitFeaturesView(r, asObject<TagDoc>(raw, 'unit-economics', 'rows'), form);
  const doc = asObject<UnitDoc>(raw, 'unit-economics', 'rows');
  const t = doc.total;
  const cur = currencyOf(doc);
  const body = html`<h1>Unit economics</h1>
    <p class="lede">
      ${monthName(period)}${doc.previousPeriod ? html`, trend against ${monthName(doc.previousPeriod)}` : ''}:
      what each ${by} costs per request, per active user and per business outcome, in ${cur}. Per-unit figures
      are ratios and are shown rounded.
    </p>
    <section class="card no-print">${form}</section>
    ${
      t
        ? html`<div class="grid">
            <section class="card kpi">
              <h2 class="label">AI cost</h2>
              <p class="value">${usd(t.costUsd, cur)}</p>
              <p class="note">${change(t.trend?.['costChangePct'])} vs the month before</p>
            </section>
            <section class="card kpi">
              <h2 class="label">Cost per request</h2>
              <p class="value">${usdEstimate(t.costPerRequestUsd, cur)}</p>
              <p class="note">
                ${count(t.requests)} requests · ${change(t.trend?.['costPerRequestChangePct'])}
              </p>
            </section>
            <section class="card kpi">
              <h2 class="label">Cost per active user</h2>
              <p class="value">${usdEstimate(t.costPerActiveUserUsd, cur)}</p>
              <p class="note">
                ${count(t.activeUsers)} users · ${change(t.trend?.['costPerActiveUserChangePct'])}
              </p>
            </section>
            ${
              t.revenueUsd != null
                ? html`<section class="card kpi">
                    <h2 class="label">AI cost share of revenue</h2>
                    <p class="value">${sharePct(t.aiCostShareOfRevenue)}</p>
                    <p class="note">
                      ${
                        t.revenueScopes?.length
                          ? html`${t.revenueScopes.join(', ')}: AI cost ${usd(t.revenueCostUsd, cur)} of `
                          : ''
                      }revenue
                      ${usd(t.revenueUsd, cur)}
                    </p>
                  </section>`
                : ''
            }
          </div>`
        : ''
    }
    <section class="card">
      ${dataTable<Row>({
        columns: [
          { label: by[0]!.toUpperCase() + by.slice(1), cell: (x) => String(x[by] ?? '–') },
          ...(by === 'group'
            ? [
                {
                  label: 'Apps',
                  cell: (x: Row) => (Array.isArray(x['apps']) ? (x['apps'] as string[]).join(', ') : '–'),
                },
              ]
            : []),
          moneyColumn('Cost', (x) => x.costUsd, cur),
          { label: 'Change', num: true, cell: (x) => change(x.trend?.['costChangePct']) },
          { label: 'Requests', num: true, cell: (x) => count(x.requests) },
          { label: 'Per request', num: true, cell: (x) => usdEstimate(x.costPerRequestUsd, cur) },
          { label: 'Active users', num: true, cell: (x) => count(x.activeUsers) },
          { label: 'Per active user', num: true, cell: (x) => usdEstimate(x.costPerActiveUserUsd, cur) },
          { label: 'Per outcome', cell: (x) => outcomes(x, cur) },
        ],
        rows: doc.rows,
      })}
    </section>`;
  return { title: 'Unit economics', body };
}
