/** /keys: the gateway's virtual keys (ids and hints, never secrets), admins only; revoke from here. */
import type { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { asList } from './_docs.js';
import { count, usdText, when } from './_format.js';
import { html } from './_html.js';
import { csrfField, messageBox } from './_layout.js';
import type { PageReq, PageResult } from './_page.js';
import { canSeeKeys } from './_roles.js';
import { dataTable } from './_table.js';
import type { WebDeps } from './_types.js';
import { page, post, type WebEnv } from './_handler.js';

type KeyRow = Record<string, unknown> & { id: string; status?: string };

/**
 * What a key may do, as one line: allowed models, tokens a minute, token quota, spend budget ("none" when
 * unlimited). Key budgets are USD: the gateway prices requests from the catalog.
 */
function keyLimits(k: KeyRow): string {
  const parts: string[] = [];
  const models = k['allowedModels'];
  if (Array.isArray(models) && models.length > 0) parts.push(`models ${models.join(', ')}`);
  if (typeof k['tpm'] === 'number') parts.push(`${count(k['tpm'])} tokens/min`);
  const quota = k['quota'] as { tokens?: unknown; period?: unknown } | undefined;
  if (quota && typeof quota.tokens === 'number')
    parts.push(`${count(quota.tokens)} tokens/${String(quota.period ?? 'month')}`);
  const budget = k['budget'] as { usd?: unknown; period?: unknown; hard?: unknown } | undefined;
  if (budget && budget.usd !== undefined)
    parts.push(
      `${usdText(budget.usd, 'USD')}/${String(budget.period ?? 'month')}${budget.hard === false ? ' (soft)' : ''}`,
    );
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

function forbidden(): TallyError {
  return new TallyError('forbidden', 'Only admins can see and manage API keys.');
}

async function keysPage(r: PageReq): Promise<PageResult> {
  // Checked here too (the API refuses anyway) so non-admins get a clear 403 page without a report call.
  if (!canSeeKeys(r.user)) throw forbidden();
  const rows = asList<KeyRow>(await r.report('keys', {}), 'keys');
  const body = html`<h1>API keys</h1>
    <p class="lede">
      Virtual keys the gateway accepts. Secrets are shown once at creation and never stored; create and rotate
      with <code>tally keys</code>.
    </p>
    ${r.query('revoked') ? messageBox('notice', 'Key revoked.') : ''}
    <section class="card">
      ${dataTable<KeyRow>({
        columns: [
          {
            label: 'Key',
            cell: (k) =>
              html`<code class="nowrap">${String(k['hint'] ?? '')}</code><br /><span class="small muted"
                  >${k.id}</span
                >`,
          },
          {
            label: 'Team / app / environment',
            cell: (k) => [k['team'], k['app'], k['environment']].map((v) => String(v ?? '–')).join(' / '),
          },
          { label: 'Limits', cell: (k) => html`<span class="small">${keyLimits(k)}</span>` },
          { label: 'Status', cell: (k) => html`<span class="badge">${k.status ?? '–'}</span>` },
          { label: 'Created', cls: 'nowrap', cell: (k) => when(k['createdAt']) },
          {
            label: 'Manage',
            cell: (k) =>
              k.status === 'active'
                ? html`<form class="inline" method="post" action="/keys/revoke">
                    ${csrfField(r.csrf)}<input type="hidden" name="id" value="${k.id}" /><button
                      type="submit"
                      class="danger"
                      data-confirm="Revoke key ${k.id}? Requests with it fail at once."
                    >
                      Revoke
                    </button>
                  </form>`
                : '',
          },
        ],
        rows,
        empty: 'No keys yet.',
      })}
    </section>`;
  return { title: 'API keys', body };
}

/** Registers GET /keys and POST /keys/revoke. */
export function keyRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/keys', page(deps, keysPage));
  app.post(
    '/keys/revoke',
    post(deps, '/keys', async (r, f) => {
      if (!canSeeKeys(r.user)) throw forbidden();
      await deps.action('key-revoke', { id: f['id'] ?? '' }, r.user);
      return '/keys?revoked=1';
    }),
  );
}
