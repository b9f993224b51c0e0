/** Turning page functions into Hono handlers: the sign-in check, the layout, security headers, error pages. */
import type { Context } from 'hono';
import { TallyError } from '../core/index.js';
import { html, type Html } from './_html.js';
import { layout, messageBox } from './_layout.js';
import { localPath, pageReq, type PageReq, type PageResult } from './_page.js';
import type { WebDeps, WebVariables } from './_types.js';

/** The Hono environment of the dashboard. */
export type WebEnv = { Variables: WebVariables };
type Ctx = Context<WebEnv>;

// Pages hold private spend data: never cached, never framed, and markup may only load our own assets.
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Sends an HTML document with the page security headers. */
export function sendHtml(c: Ctx, doc: Html, status: number = 200): Response {
  return c.html(doc.text, status as 200, PAGE_HEADERS);
}

/** What the layout needs from the request. */
export function shellOf(c: Ctx) {
  return { user: c.var.user ?? null, csrf: c.var.csrfToken ?? '', path: c.req.path };
}

/** The sign-in redirect for a request without a user, keeping where they were going (GET) or the page (POST). */
export function toLogin(c: Ctx, back?: string): Response {
  const url = new URL(c.req.url);
  const next = back ?? url.pathname + url.search;
  return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
}

/** A request for the signed-in user, or null when nobody is signed in. */
export function requestOf(c: Ctx, deps: WebDeps): PageReq | null {
  const user = c.var.user;
  if (!user) return null;
  return pageReq(
    deps,
    user,
    c.var.csrfToken ?? '',
    c.req.path,
    (n) => c.req.query(n),
    (n) => c.req.queries(n),
    c.req.param(),
  );
}

/** Wraps a page function: sign-in check, layout, status. */
export function page(deps: WebDeps, fn: (r: PageReq) => Promise<PageResult | Response>) {
  return async (c: Ctx): Promise<Response> => {
    const r = requestOf(c, deps);
    if (!r) return toLogin(c);
    const out = await fn(r);
    if (out instanceof Response) return out;
    return sendHtml(c, layout(shellOf(c), out.title, out.body), out.status ?? 200);
  };
}

/**
 * Wraps a form post: sign-in check, the form's string fields, then `fn`, which runs the write and says where to
 * go. Post/redirect/get, so reloading the page never repeats the write.
 */
export function post(
  deps: WebDeps,
  back: string,
  fn: (r: PageReq, fields: Record<string, string>) => Promise<string>,
) {
  return async (c: Ctx): Promise<Response> => {
    const r = requestOf(c, deps);
    if (!r) return toLogin(c, back);
    const body = await c.req.parseBody();
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
    return c.redirect(localPath(await fn(r, fields), back), 303);
  };
}

const TITLES: Partial<Record<TallyError['code'], string>> = {
  forbidden: 'Not allowed',
  not_found: 'Not found',
  invalid_input: 'Check the request',
  unauthorized: 'Sign in again',
};

/** An error as a page with the error code's status; internal errors keep their message out of the page. */
export function errorPage(c: Ctx, err: unknown): Response {
  const e = err instanceof TallyError && err.code !== 'internal' ? err : null;
  const title = (e && TITLES[e.code]) ?? 'Something went wrong';
  const text = e
    ? e.message
    : 'The page could not be produced. Try again, or ask an admin to check the server log.';
  const body = html`<h1>${title}</h1>
    ${messageBox('error', text)}
    <p><a href="/">Back to the overview</a></p>`;
  return sendHtml(c, layout(shellOf(c), title, body), e ? e.httpStatus : 500);
}
