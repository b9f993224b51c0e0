/** The page shell: head, skip link, navigation for the user's role, sign-out, and the main landmark. */
import { SCRIPT_URL, STYLE_URL } from './_assets.js';
import { html, type Html } from './_html.js';
import { canReadOrg, canSeeKeys, teamsLabel } from './_roles.js';
import type { WebUser } from './_types.js';

const NAV: readonly { href: string; label: string; show?: (u: WebUser) => boolean }[] = [
  { href: '/', label: 'Overview' },
  { href: '/explore', label: 'Explore' },
  { href: '/teams', label: 'Teams' },
  { href: '/budgets', label: 'Budgets' },
  { href: '/anomalies', label: 'Anomalies' },
  { href: '/forecast', label: 'Forecast' },
  { href: '/reconcile', label: 'Reconcile', show: canReadOrg },
  // Everyone: team-scoped users see it by feature, on their teams' traffic (the report scopes it).
  { href: '/unit-economics', label: 'Unit economics' },
  { href: '/keys', label: 'Keys', show: canSeeKeys },
];

/** What the shell needs to know about the request. */
export interface Shell {
  readonly user: WebUser | null;
  readonly csrf: string;
  readonly path: string;
}

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function nav(s: Shell): Html {
  const u = s.user;
  if (!u) return html``;
  const items = NAV.filter((n) => !n.show || n.show(u));
  return html`<nav class="main" aria-label="Main">
      <ul>
        ${items.map(
          (n) =>
            html`<li>
              <a href="${n.href}" ${isCurrent(n.href, s.path) ? html` aria-current="page"` : ''}
                >${n.label}</a
              >
            </li>`,
        )}
      </ul>
    </nav>
    <div class="who">
      <span>${u.name} · ${u.role} · ${teamsLabel(u)}</span>
      <form method="post" action="/logout">
        <input type="hidden" name="_csrf" value="${s.csrf}" /><button type="submit">Sign out</button>
      </form>
    </div>`;
}

/** A whole HTML document around a page body. */
export function layout(s: Shell, title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Tally</title>
        <link rel="stylesheet" href="${STYLE_URL}" />
        <script src="${SCRIPT_URL}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <div class="bar"><a class="brand" href="/">Tally</a>${nav(s)}</div>
        </header>
        <main id="main" tabindex="-1">${body}</main>
      </body>
    </html>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

/** A message box; `kind` error for failures, notice for confirmations. */
export function messageBox(kind: 'error' | 'notice', text: string): Html {
  return html`<div class="card ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;
}
