/**
 * Authentication for the API and the dashboard: a bearer token (a user's API token, or the owner's secret
 * for the local CLI) or a browser session cookie. Sessions are random ids stored hashed, expire, and carry a
 * CSRF token that every non-GET request from a browser must echo (`_csrf` form field or `x-csrf-token`).
 * Anonymous visitors get a pre-session CSRF cookie so the login form is protected too (double submit).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { sitePath, TallyError } from '../core/index.js';
import type { CostStore, UserRecord } from '../store/index.js';
import { hashToken } from './_users.js';
import type { Principal } from './_roles.js';

export const SESSION_COOKIE = 'tally_session';
export const CSRF_COOKIE = 'tally_csrf';

/** What the auth step found. */
export interface Caller {
  readonly principal: Principal | null;
  /** The CSRF token this caller's forms must carry. */
  readonly csrfToken: string;
  /** How it authenticated: bearer tokens need no CSRF check; cookies do. */
  readonly via: 'bearer' | 'session' | 'none';
  /** The session id hash, for logout. */
  readonly sessionHash?: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const activeUser = (u: UserRecord | null): UserRecord | null => (u && u.status === 'active' ? u : null);

/** Resolves the caller of a request. Throws unauthorized for a bearer token that matches nobody. */
export async function resolveCaller(
  c: Context,
  deps: { store: CostStore; secret: string; now(): Date; secureCookies: boolean },
): Promise<Caller> {
  const auth = c.req.header('authorization');
  if (auth !== undefined) {
    const principal = await principalFromBearer(auth, c.req.header('x-tally-actor'), deps);
    return { principal, csrfToken: '', via: 'bearer' };
  }
  const sid = getCookie(c, SESSION_COOKIE);
  if (sid) {
    const idHash = hashToken(sid);
    const session = await deps.store.findSession(idHash, deps.now());
    const user = session ? activeUser(await deps.store.findUserById(session.userId)) : null;
    if (session && user)
      return {
        principal: { kind: 'user', user },
        csrfToken: session.csrfToken,
        via: 'session',
        sessionHash: idHash,
      };
  }
  let csrf = getCookie(c, CSRF_COOKIE);
  if (!csrf || !/^[A-Za-z0-9_-]{32,64}$/.test(csrf)) {
    csrf = randomBytes(24).toString('base64url');
    setCookie(c, CSRF_COOKIE, csrf, cookieOptions(deps.secureCookies, 60 * 60));
  }
  return { principal: null, csrfToken: csrf, via: 'none' };
}

/**
 * The principal an `Authorization: Bearer <token>` header names: the owner's secret is the local CLI (its audit
 * name from `x-tally-actor`), anything else must be an active user's token. Throws unauthorized otherwise.
 */
export async function principalFromBearer(
  auth: string | null | undefined,
  actorHeader: string | null | undefined,
  deps: { store: CostStore; secret: string },
): Promise<Principal> {
  if (!auth) throw new TallyError('unauthorized', 'send "Authorization: Bearer <token>"');
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) throw new TallyError('unauthorized', 'Authorization must be "Bearer <token>"');
  const token = m[1]!;
  if (same(token, deps.secret))
    return { kind: 'local', actor: `cli:${(actorHeader ?? 'unknown').slice(0, 64)}` };
  const user = activeUser(await deps.store.findUserByTokenHash(hashToken(token)));
  if (!user) throw new TallyError('unauthorized', 'unknown or revoked token; ask an admin for a new one');
  return { kind: 'user', user };
}

/** Checks the CSRF token of a browser's write (bearer calls are exempt: browsers never add that header). */
export async function checkCsrf(c: Context, caller: Caller): Promise<void> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || caller.via === 'bearer') return;
  let sent = c.req.header('x-csrf-token');
  if (sent === undefined) {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const form = await c.req.parseBody();
      sent = typeof form['_csrf'] === 'string' ? form['_csrf'] : undefined;
    }
  }
  if (!sent || !caller.csrfToken || !same(sent, caller.csrfToken))
    throw new TallyError('forbidden', 'missing or wrong CSRF token: reload the page and try again');
}

function cookieOptions(secure: boolean, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure, maxAge: maxAgeSeconds };
}

/** Logs a user in with their API token: a new session cookie. */
export async function startSession(
  c: Context,
  deps: { store: CostStore; now(): Date; secureCookies: boolean; sessionHours: number },
  token: string,
): Promise<UserRecord> {
  const user = activeUser(await deps.store.findUserByTokenHash(hashToken(token.trim())));
  if (!user) throw new TallyError('unauthorized', 'unknown or revoked token');
  const id = randomBytes(32).toString('base64url');
  const now = deps.now();
  await deps.store.insertSession({
    idHash: hashToken(id),
    userId: user.id,
    csrfToken: randomBytes(24).toString('base64url'),
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.sessionHours * 3600_000),
  });
  setCookie(c, SESSION_COOKIE, id, cookieOptions(deps.secureCookies, deps.sessionHours * 3600));
  return user;
}

/** Ends the caller's session. */
export async function endSession(c: Context, store: CostStore, caller: Caller, now: Date): Promise<void> {
  if (caller.sessionHash) await store.deleteSession(caller.sessionHash, now);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** A safe place to go after login: a path on this site only. */
export function safeNext(next: unknown): string {
  return sitePath(next, '/');
}
