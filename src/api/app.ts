/**
 * The HTTP API (`/api/v1/...`) and the dashboard's login, on Hono. Handlers run without a socket through
 * `app.request()`; `tally serve` serves the same app on its port. Every request is authenticated here, every
 * write is CSRF-checked (for browsers) and audited, and every error is one problem shape.
 */
export type { ApiDeps, ApiEnv, ApiVariables, CommandResult } from './_context.js';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TallyError } from '../core/index.js';
import { identityProof, IDENTITY_PATH } from '../owner/index.js';
import { problemResponse } from './_problem.js';
import { checkCsrf, endSession, resolveCaller, safeNext, startSession } from './_session.js';
import { requirePermission } from './_roles.js';
import { commandResponse, principalOf, type ApiDeps, type ApiEnv } from './_context.js';
import { REPORTS, reportArgv, type ReportName, type ReportSpec } from './_reports.js';
import { ReportCache } from './_cache.js';
import { PAGING_PARAMS } from './_paging.js';
import { writeRoutes } from './_writes.js';
import { adminRoutes } from './_admin.js';
import { UPLOAD_PATHS, uploadRoutes } from './_uploads.js';
import { AuthThrottle, clientAddress } from './_auth-throttle.js';

/** JSON and form bodies: budgets, SQL, logins and the CLI's argv are small. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Form bodies, which the CSRF check parses before the caller's permissions are checked. */
const isForm = (type = '') => /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type);
import { openApiDocument } from './openapi.js';

/** Builds the API app. `extend` mounts more routes (the dashboard) behind the same authentication. */
export function createApiApp(
  deps: ApiDeps,
  extend?: (app: Hono<ApiEnv>, cache: ReportCache) => void,
): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const cache = deps.cache ?? new ReportCache((deps.reportCacheSeconds ?? 30) * 1000);
  // Any write clears every cached report, so what was just changed is what the next report shows.
  app.use('*', async (c, next) => {
    await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.get('changedNothing') !== true) cache.clear();
  });
  app.onError((err, c) => problemResponse(c, err));
  app.notFound((c) =>
    problemResponse(c, new TallyError('not_found', `no route ${c.req.method} ${c.req.path}`)),
  );

  // Bodies are bounded before anything reads them (the CSRF check parses forms): a 413 problem past the limit,
  // counted as they arrive when sent chunked. Before the caller is known only the small limit applies: an upload
  // route's body is not read here at all (unless it is a form, which the CSRF check would parse), but streamed
  // to disk by the route once the caller has the permission, against the upload limit (`_uploads.ts`).
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const small = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw new TallyError('payload_too_large', `request bodies here are limited to ${maxBody} bytes`, {
        limit: maxBody,
      });
    },
  });
  app.use('*', (c, next) =>
    UPLOAD_PATHS.has(c.req.path) && !isForm(c.req.header('content-type')) ? next() : small(c, next),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get(IDENTITY_PATH, (c) => {
    const nonce = c.req.query('nonce') ?? '';
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(nonce))
      throw new TallyError('invalid_input', 'give nonce (16-128 url-safe characters)');
    return c.json({ proof: identityProof(deps.secret, nonce, deps.storePath), pid: process.pid });
  });
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument()));

  const throttle = deps.authThrottle ?? new AuthThrottle();
  app.use('*', async (c, next) => {
    // A right token always passes; wrong ones are counted per address (429 past the allowance, else 401).
    const caller = await resolveCaller(c, deps).catch((err: unknown) => {
      if (err instanceof TallyError && err.code === 'unauthorized')
        throttle.failed(clientAddress(c.env), deps.now().getTime());
      throw err;
    });
    c.set('caller', caller);
    c.set('csrfToken', caller.csrfToken);
    const p = caller.principal;
    c.set(
      'user',
      p?.kind === 'user'
        ? { id: p.user.id, name: p.user.name, role: p.user.role, teams: p.user.teams }
        : null,
    );
    await checkCsrf(c, caller);
    // Pages and API answers carry tenant data: never cached by shared caches, never framed.
    c.header('x-content-type-options', 'nosniff');
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'same-origin');
    await next();
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form['next']);
    try {
      await startSession(c, deps, typeof form['token'] === 'string' ? form['token'] : '');
    } catch {
      throttle.failed(clientAddress(c.env), deps.now().getTime());
      return c.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`, 303);
    }
    return c.redirect(next, 303);
  });
  app.post('/logout', async (c) => {
    await endSession(c, deps.store, c.get('caller'), deps.now());
    return c.redirect('/login', 303);
  });

  app.get('/api/v1/me', (c) => {
    const p = principalOf(c.get('caller'));
    return c.json(p.kind === 'user' ? c.get('user') : { id: p.actor, role: 'admin', teams: [] });
  });

  for (const name of Object.keys(REPORTS) as ReportName[]) {
    app.get(`/api/v1/${name}`, async (c) => {
      const principal = principalOf(c.get('caller'));
      requirePermission(principal, REPORTS[name].permission);
      const query = new URL(c.req.url).searchParams;
      const spec: ReportSpec = REPORTS[name];
      return commandResponse(deps, principal, reportArgv(name, query, PAGING_PARAMS), query, {
        cache,
        live: spec.live === true,
      });
    });
  }
  writeRoutes(app, deps);
  uploadRoutes(app, deps);
  adminRoutes(app, deps);
  extend?.(app, cache);
  return app;
}
