/** /reconcile: metered (gateway) against billed (cost export) per deployment, with the variance explained. */
import { asObject, currencyOf } from './_docs.js';
import { count, usd } from './_format.js';
import { html } from './_html.js';
import { orgOnly, type PageReq, type PageResult } from './_page.js';
import { canReadOrg } from './_roles.js';
import { monthForm, periodOf } from './_month.js';
import { monthName } from './_dates.js';
import { dataTable, moneyColumn } from './_table.js';

type Row = Record<string, unknown> & { flagged?: boolean; explanation?: string };
interface ReconcileDoc {
  period: string;
  by: string;
  thresholdPct?: number;
  rows: Row[];
  totals?: Record<string, number>;
  flaggedCount?: number;
}

/** GET /reconcile */
export async function reconcilePage(r: PageReq): Promise<PageResult> {
  if (!canReadOrg(r.user)) throw orgOnly('Reconciliation');
  const period = periodOf(r);
  const doc = asObject<ReconcileDoc>(await r.report('reconcile', { period }), 'reconcile', 'rows');
  const t = doc.totals ?? {};
  const by = doc.by || 'deployment';
  // Metered and billed amounts in one currency: the export's rows converted to the ledger's (ADR 0041).
  const cur = currencyOf(doc);
  const body = html`<h1>Reconciliation</h1>
    <p class="lede">
      ${monthName(period)}: what the gateway metered against what the cost export billed, per ${by}. A
      variance the known causes (capacity billed by the hour, traffic that bypassed the gateway, discounts) do
      not explain is flagged. Amounts in ${cur}.
    </p>
    <section class="card no-print">${monthForm('/reconcile', period)}</section>
    <div class="grid">
      <section class="card kpi">
        <h2 class="label">Metered</h2>
        <p class="value">${usd(t['meteredCostUsd'], cur)}</p>
      </section>
      <section class="card kpi">
        <h2 class="label">Billed</h2>
        <p class="value">${usd(t['billedCostUsd'], cur)}</p>
        <p class="note">effective ${usd(t['effectiveCostUsd'], cur)}</p>
      </section>
      <section class="card kpi">
        <h2 class="label">Variance</h2>
        <p class="value">${usd(t['varianceUsd'], cur)}</p>
        <p class="note">unexplained ${usd(t['unexplainedUsd'], cur)}</p>
      </section>
      <section class="card kpi">
        <h2 class="label">Flagged</h2>
        <p class="value">${count(doc.flaggedCount ?? doc.rows.filter((x) => x.flagged).length)}</p>
        <p class="note">${by}s over the threshold</p>
      </section>
    </div>
    <section class="card">
      ${dataTable<Row>({
        columns: [
          { label: by[0]!.toUpperCase() + by.slice(1), cell: (x) => String(x[by] ?? '–') },
          { label: 'Requests', num: true, cell: (x) => count(x['requests']) },
          moneyColumn('Metered', (x) => x['meteredCostUsd'], cur),
          moneyColumn('Billed', (x) => x['billedCostUsd'], cur),
          moneyColumn('Variance', (x) => x['varianceUsd'], cur),
          moneyColumn('Unexplained', (x) => x['unexplainedUsd'], cur),
          {
            label: 'Explanation',
            cell: (x) =>
              html`${x.flagged ? html`<span class="badge bad">flagged</span> ` : ''}<span class="small"
                  >${x.explanation ?? ''}</span
                >`,
          },
        ],
        rows: doc.rows,
        foot: [
          'Total',
          '',
          usd(t['meteredCostUsd'], cur),
          usd(t['billedCostUsd'], cur),
          usd(t['varianceUsd'], cur),
          usd(t['unexplainedUsd'], cur),
          '',
        ],
      })}
    </section>`;
  return { title: 'Reconcile', body };
}
