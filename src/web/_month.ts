/** Month-based pages (teams, reconcile, unit economics): which month, and the form to pick another. */
import { TallyError } from '../core/index.js';
import { monthStart } from './_dates.js';
import { html, type Html } from './_html.js';
import type { PageReq } from './_page.js';

/** The month to show: ?period=YYYY-MM, else last complete month. */
export function periodOf(r: PageReq): string {
  const p = r.query('period');
  if (p === undefined) return monthStart(r.today, -1).slice(0, 7);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(p)) throw new TallyError('invalid_input', 'Choose a month as YYYY-MM.');
  return p;
}

/** A month picker form (GET), keeping other parameters as hidden fields. */
export function monthForm(
  action: string,
  period: string,
  hidden: Record<string, string> = {},
  extra: Html = html``,
): Html {
  return html`<form class="filters no-print" method="get" action="${action}" data-autosubmit>
    <label
      >Month <input type="month" name="period" value="${period}" pattern="\\d{4}-\\d{2}" required
    /></label>
    ${Object.entries(hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}${extra}
    <button type="submit">Show</button>
  </form>`;
}
