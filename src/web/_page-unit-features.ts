/**
 * /unit-economics?by=feature (or by=tag:KEY): cost, requests and cost per request per value of a request tag
 * (`x-tally-tags`), with the trend against the month before: the document `tally unit-economics --by feature
 * --json` prints. A team-scoped user gets this view only, and the report itself keeps it to their teams' traffic.
 */
import { monthName } from './_dates.js';
import { currencyOf } from './_docs.js';
import { change, count, usd, usdEstimate } from './_format.js';
import { html, type Html } from './_html.js';
import type { PageReq, PageResult } from './_page.js';
import { canReadOrg, teamsLabel } from './_roles.js';
import { dataTable, moneyColumn } from './_table.js';

type TagRow = Record<string, unknown> & {
  costUsd: number;
  requests: number;
  costPerRequestUsd: number | null;
  shareOfCost?: number | null;
  trend?: { costChangePct: number | null; costPerRequestChangePct: number | null } | null;
};
/** The `--by feature|tag:K` document. */
export interface TagDoc {
  period: string;
  previousPeriod?: string;
  by: string;
  basis: string;
  currency?: string;
  teams?: string[];
  rows: TagRow[];
  total: TagRow;
}

/** A per-unit ratio: rounded for reading, the report's own value kept in `<data>`. */
function ratio(v: number | null | undefined, cur: string): Html {
  return typeof v === 'number'
    ? html`<data class="ratio" value="${String(v)}" data-currency="${cur}">${usdEstimate(v, cur)}</data>`
    : html`<span class="na">–</span>`;
}

/** The tag key a `by` names ("feature" for feature). */
export const tagKeyOf = (by: string) => (by === 'feature' ? 'feature' : by.slice(4));

/** The view by request tag. */
export function unitFeaturesView(r: PageReq, doc: TagDoc, form: Html): PageResult {
  const t = doc.total;
  const cur = currencyOf(doc);
  const key = tagKeyOf(doc.by);
  const label = key[0]!.toUpperCase() + key.slice(1);
  const scoped = !canReadOrg(r.user);
  const body = html`<h1>Unit economics by ${key}</h1>
    <p class="lede">
      ${monthName(doc.period)}${doc.previousPeriod ? html`, trend against ${monthName(doc.previousPeriod)}` : ''}:
      cost and cost per request of each <code>${key}</code> value the requests tagged themselves with
      (<code>x-tally-tags</code>), on the gateway ledger's basis (a cost export knows no features), in ${cur}.
      ${scoped ? html`Traffic of ${teamsLabel(r.user)} only.` : ''} Requests without the tag are one row, so
      the rows add up to the total.
    </p>
    <section class="card no-print">${form}</section>
    <div class="grid">
      <section class="card kpi">
        <h2 class="label">Tagged AI cost</h2>
        <p class="value" id="ue-total-cost">${usd(t.costUsd, cur)}</p>
        <p class="note">${change(t.trend?.costChangePct)} vs the month before</p>
      </section>
      <section class="card kpi">
        <h2 class="label">Cost per request</h2>
        <p class="value" id="ue-total-per-request">${ratio(t.costPerRequestUsd, cur)}</p>
        <p class="note"><span id="ue-total-requests">${count(t.requests)}</span> requests</p>
      </section>
    </div>
    <section class="card">
      ${dataTable<TagRow>({
        caption: html`Cost per ${key}`,
        columns: [
          { label, cell: (x) => String(x[doc.by] ?? '–'), csv: (x) => String(x[doc.by] ?? '') },
          moneyColumn('Cost', (x) => x.costUsd, cur),
          {
            label: 'Share',
            num: true,
            cell: (x) => (typeof x.shareOfCost === 'number' ? `${(x.shareOfCost * 100).toFixed(1)}%` : '–'),
          },
          { label: 'Change', num: true, cell: (x) => change(x.trend?.costChangePct) },
          { label: 'Requests', num: true, cell: (x) => count(x.requests), csv: (x) => x.requests },
          { label: 'Per request', num: true, cell: (x) => ratio(x.costPerRequestUsd, cur) },
          { label: 'Per-request change', num: true, cell: (x) => change(x.trend?.costPerRequestChangePct) },
        ],
        rows: doc.rows,
        empty: 'No gateway traffic in this month.',
      })}
    </section>`;
  return { title: `Unit economics by ${key}`, body };
}
