/** /budgets: every budget with spend and forecast against its amount; admins and finance set and delete them. */
import type { Hono } from 'hono';
import { asList, type BudgetRow } from './_docs.js';
import { html, type Html } from './_html.js';
import { csrfField, messageBox } from './_layout.js';
import { budgetTable } from './_budget-table.js';
import type { PageReq, PageResult } from './_page.js';
import { canEditBudgets } from './_roles.js';
import type { WebDeps } from './_types.js';
import { page, post, type WebEnv } from './_handler.js';

const SCOPES = ['all', 'team', 'app', 'cost_center', 'key', 'model'] as const;
const PERIODS = ['month', 'quarter', 'year', 'week', 'day'] as const;

function setForm(csrf: string): Html {
  return html`<form class="filters" method="post" action="/budgets">
      ${csrfField(csrf)}
      <label
        >Scope
        <select name="scope">
          ${SCOPES.map((s) => html`<option value="${s}">${s}</option>`)}
        </select></label
      >
      <label>For (team, app…; empty for all) <input type="text" name="value" size="16" /></label>
      <label
        >Amount (USD)
        <input
          type="text"
          name="amount"
          inputmode="decimal"
          pattern="[0-9]+(\\.[0-9]{1,9})?"
          required
          size="10"
      /></label>
      <label
        >Period
        <select name="period">
          ${PERIODS.map((p) => html`<option value="${p}">${p}</option>`)}
        </select></label
      >
      <button type="submit">Save budget</button>
    </form>
    <p class="small muted">
      Saving a budget for a scope and period that already has one replaces its amount.
    </p>`;
}

function deleteButton(csrf: string, b: BudgetRow): Html {
  return html`<form class="inline" method="post" action="/budgets/delete">
    ${csrfField(csrf)}<input type="hidden" name="id" value="${b.id}" /><button
      type="submit"
      class="danger"
      data-confirm="Delete the budget ${b.scope}?"
    >
      Delete<span class="visually-hidden"> ${b.scope}</span>
    </button>
  </form>`;
}

async function budgetsPage(r: PageReq): Promise<PageResult> {
  const rows = asList<BudgetRow>(await r.report('budgets', {}), 'budgets');
  const edit = canEditBudgets(r.user);
  const saved = r.query('saved');
  const body = html`<h1>Budgets</h1>
    <p class="lede">
      Spend this period against each budget; the marker is the forecast at period end with its p10–p90
      whisker.
    </p>
    ${saved === 'set' ? messageBox('notice', 'Budget saved.') : saved === 'deleted' ? messageBox('notice', 'Budget deleted.') : ''}
    <section class="card">
      ${budgetTable(rows, edit ? { label: 'Manage', cell: (b) => deleteButton(r.csrf, b) } : undefined)}
    </section>
    ${
      edit
        ? html`<section class="card no-print" aria-labelledby="bs-h">
            <h2 id="bs-h">Set a budget</h2>
            ${setForm(r.csrf)}
          </section>`
        : ''
    }`;
  return { title: 'Budgets', body };
}

/** Registers GET /budgets, POST /budgets (set) and POST /budgets/delete. */
export function budgetRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/budgets', page(deps, budgetsPage));
  app.post(
    '/budgets',
    post(deps, '/budgets', async (r, f) => {
      const params: Record<string, string> = { scope: f['scope'] ?? 'all', amount: f['amount'] ?? '' };
      if (f['value']) params['value'] = f['value'];
      if (f['period']) params['period'] = f['period'];
      await deps.action('budget-set', params, r.user);
      return '/budgets?saved=set';
    }),
  );
  app.post(
    '/budgets/delete',
    post(deps, '/budgets', async (r, f) => {
      await deps.action('budget-delete', { id: f['id'] ?? '' }, r.user);
      return '/budgets?saved=deleted';
    }),
  );
}
