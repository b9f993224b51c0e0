/** What a page handler gets (the signed-in user, the query, report access) and what it returns. */
import { sitePath, TallyError } from '../core/index.js';
import { isoDay } from './_dates.js';
import type { Html } from './_html.js';
import type { ReportName, WebDeps, WebUser } from './_types.js';

/** One page request, already past the sign-in check. */
export interface PageReq {
  readonly user: WebUser;
  readonly csrf: string;
  /** The path without the query, e.g. /teams/search. */
  readonly path: string;
  /** The request's moment (from `deps.now`) and its UTC day. */
  readonly now: Date;
  readonly today: string;
  /** A query parameter, trimmed; undefined when absent or empty. */
  query(name: string): string | undefined;
  /** Every value of a repeatable query parameter, trimmed, empty ones dropped. */
  queryAll(name: string): string[];
  /** Route parameters (e.g. `team` in /teams/:team). */
  readonly params: Readonly<Record<string, string>>;
  /** A report document for this user. */
  report(name: ReportName, params?: Record<string, string>): Promise<unknown>;
}

/** A rendered page: its title, body, and status when it is not 200. */
export interface PageResult {
  readonly title: string;
  readonly body: Html;
  readonly status?: 200 | 400 | 403 | 404 | 500 | 503;
}

/** Builds the request object pages use. */
export function pageReq(
  deps: WebDeps,
  user: WebUser,
  csrf: string,
  path: string,
  query: (n: string) => string | undefined,
  queryAll: (n: string) => string[] | undefined,
  params: Record<string, string>,
): PageReq {
  const now = deps.now?.() ?? new Date();
  return {
    user,
    csrf,
    path,
    now,
    today: isoDay(now),
    query: (n) => {
      const v = query(n)?.trim();
      return v ? v : undefined;
    },
    queryAll: (n) => (queryAll(n) ?? []).map((v) => v.trim()).filter(Boolean),
    params,
    report: (name, p = {}) => deps.report(name, p, user),
  };
}

/** The result of a report call that may fail without failing the page (one card shows the error instead). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: TallyError };

/** Awaits a report, keeping a failure as a value so one missing section does not blank the page. */
export async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return {
      ok: false,
      error: err instanceof TallyError ? err : new TallyError('internal', 'report failed'),
    };
  }
}

/** A local path to go back to after a form; anything else (other hosts, `//evil`) becomes `fallback`. */
export function localPath(next: string | undefined, fallback = '/'): string {
  return sitePath(next, fallback);
}

/** The 403 for an org-wide report asked for by a team-scoped user (the API refuses it too). */
export function orgOnly(what: string): TallyError {
  return new TallyError('forbidden', `${what} spans every team, so it is for admins and finance.`);
}
