/**
 * The dashboard as a Hono app the server mounts. The server's middleware has already resolved the session
 * (`c.var.user`) and checked the CSRF token of every non-GET request; this app renders pages, turns report
 * errors into error pages with the matching status, and sends people who are not signed in to /login.
 */
import { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { assetRoutes } from './_assets.js';
import { errorPage, page, sendHtml, shellOf, type WebEnv } from './_handler.js';
import { layout } from './_layout.js';
import { localPath } from './_page.js';
import { anomalyRoutes } from './_page-anomalies.js';
import { budgetRoutes } from './_page-budgets.js';
import { explorePage, exploreCsv } from './_page-explore.js';
import { forecastPage } from './_page-forecast.js';
import { keyRoutes } from './_page-keys.js';
import { loginPage } from './_page-login.js';
import { overviewPage } from './_page-overview.js';
import { reconcilePage } from './_page-reconcile.js';
import { teamPage, teamsPage } from './_page-teams.js';
import { unitEconomicsPage } from './_page-unit-economics.js';
import type { WebDeps } from './_types.js';

/** Builds the dashboard app. */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.route('/', assetRoutes());
  app.get('/login', (c) => {
    const next = localPath(c.req.query('next'));
    if (c.var.user) return c.redirect(next, 303);
    const failed = c.req.query('error') !== undefined;
    return sendHtml(
      c,
      layout(shellOf(c), 'Sign in', loginPage(c.var.csrfToken ?? '', next, failed)),
      failed ? 401 : 200,
    );
  });
  app.get('/', page(deps, overviewPage));
  app.get('/explore', page(deps, explorePage));
  app.get('/explore.csv', page(deps, exploreCsv));
  app.get('/teams', page(deps, teamsPage));
  app.get('/teams/:team', page(deps, teamPage));
  app.get('/forecast', page(deps, forecastPage));
  app.get('/reconcile', page(deps, reconcilePage));
  app.get('/unit-economics', page(deps, unitEconomicsPage));
  budgetRoutes(app, deps);
  anomalyRoutes(app, deps);
  keyRoutes(app, deps);
  app.notFound((c) => errorPage(c, new TallyError('not_found', `There is no page at ${c.req.path}.`)));
  app.onError((err, c) => errorPage(c, err));
  return app;
}
