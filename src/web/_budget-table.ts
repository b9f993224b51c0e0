/** The budget table: spend against the amount as a bar, the forecast at period end with its band, a status. */
import { budgetBar } from './_charts.js';
import { monthName, monthStart } from './_dates.js';
import type { BudgetRow } from './_docs.js';
import { pct, usd, usdEstimate, when } from './_format.js';
import { html, type Html } from './_html.js';
import { dataTable } from './_table.js';

/** The budget table with a bar per budget (used here and on /budgets). */
export function budgetTable(
  rows: readonly BudgetRow[],
  extra?: { label: string; cell: (b: BudgetRow) => Html },
): Html {
  return dataTable({
    columns: [
      {
        label: 'Budget',
        cell: (b) =>
          html`${b.scope === 'all' ? 'All spend' : b.scope}<br /><span class="muted small"
              >${budgetPeriod(b)}</span
            >`,
      },
      {
        label: 'Spent of amount',
        cell: (b) =>
          html`${budgetBar({ label: `${b.scope}: spent ${pct(b.spentPct)} of the budget`, amount: b.amountUsd, spent: b.spentUsd, forecast: b.forecastUsd ?? null, p10: b.forecastP10Usd ?? null, p90: b.forecastP90Usd ?? null })}<span
              class="small"
              >${usd(b.spentUsd, cur(b))} of ${usd(b.amountUsd, cur(b))} (${pct(b.spentPct)})</span
            >`,
      },
      {
        label: 'Forecast at period end',
        num: true,
        cell: (b) =>
          html`${usdEstimate(b.forecastUsd, cur(b))}<br /><span class="muted small"
              >${usdEstimate(b.forecastP10Usd, cur(b))} – ${usdEstimate(b.forecastP90Usd, cur(b))}</span
            >`,
      },
      { label: 'Status', cell: (b) => budgetStatus(b) },
      ...(extra ? [{ label: extra.label, cell: extra.cell }] : []),
    ],
    rows,
    empty: 'No budgets yet.',
  });
}

/** A budget row's currency: reporting.currency, which every amount of the row is in. */
const cur = (b: BudgetRow) => b.currency ?? 'USD';

function budgetPeriod(b: BudgetRow): string {
  const start = b.periodStart.slice(0, 10);
  // A calendar month reads better as "December 2026" than as two timestamps.
  return start.endsWith('-01') && b.periodEnd.slice(0, 10) === monthStart(start, 1)
    ? monthName(start)
    : `${when(b.periodStart)} – ${when(b.periodEnd)}`;
}

function budgetStatus(b: BudgetRow): Html {
  if (b.exceeded) return html`<span class="badge bad">exceeded${b.hard ? ' (hard)' : ''}</span>`;
  if ((b.forecastUsd ?? 0) > b.amountUsd) return html`<span class="badge warn">forecast over</span>`;
  const crossed = (b.crossed ?? []).filter((c) => c.type === 'actual').map((c) => c.percent);
  if (crossed.length) return html`<span class="badge warn">${Math.max(...crossed)}% reached</span>`;
  return html`<span class="badge ok">on track</span>`;
}
