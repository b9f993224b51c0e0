/**
 * Mounts the dashboard (src/web) on the API app. Its pages read the same report documents the API returns and
 * write through the same functions, run for the signed-in user's principal: roles and team scopes are enforced
 * here and in the reports, never by the pages.
 */
import type { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import {
  REPORTS,
  reportArgv,
  requirePermission,
  runForDocument,
  setIncidentState,
  type ApiDeps,
  type ApiEnv,
  type Principal,
  type ReportCache,
  type ReportSpec,
} from '../api/index.js';
import { createWebApp, type WebUser } from '../web/index.js';

/** Mounts the dashboard's pages. */
export function mountDashboard(
  app: Hono<ApiEnv>,
  deps: Pick<ApiDeps, 'run' | 'store' | 'now' | 'incidentTeams'>,
  cache: ReportCache,
): void {
  const principalOf = async (user: WebUser): Promise<Principal> => {
    const rec = await deps.store.findUserById(user.id);
    if (!rec || rec.status !== 'active') throw new TallyError('unauthorized', 'sign in again');
    return { kind: 'user', user: rec };
  };
  const web = createWebApp({
    now: deps.now,
    async report(name, params, user) {
      const principal = await principalOf(user);
      requirePermission(principal, REPORTS[name].permission);
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (k === 'filter') for (const f of v.split(';').filter(Boolean)) q.append('filter', f);
        else q.set(k, v);
      }
      const spec: ReportSpec = REPORTS[name];
      return (
        await runForDocument(deps, principal, reportArgv(name, q, new Set()), cache, spec.live === true)
      ).doc;
    },
    async action(name, params, user) {
      const principal = await principalOf(user);
      cache.clear();
      switch (name) {
        case 'anomaly-state':
          return setIncidentState(
            deps,
            principal,
            params['id'] ?? '',
            params['state'] ?? '',
            params['note'] || null,
          );
        case 'budget-set': {
          requirePermission(principal, 'budgets-write');
          const argv = ['budgets', 'set', '--json'];
          for (const k of ['scope', 'value', 'amount', 'period'] as const)
            if (params[k]) argv.push(`--${k}=${params[k]}`);
          return (await runForDocument(deps, principal, argv)).doc;
        }
        case 'budget-delete':
          requirePermission(principal, 'budgets-write');
          return (
            await runForDocument(deps, principal, [
              'budgets',
              'delete',
              '--json',
              `--id=${params['id'] ?? ''}`,
            ])
          ).doc;
        case 'key-revoke':
          requirePermission(principal, 'keys');
          // After `--` the form's id is the id whatever it starts with, never an option of the command.
          return (
            await runForDocument(deps, principal, ['keys', 'revoke', '--json', '--', params['id'] ?? ''])
          ).doc;
      }
    },
  });
  app.route('/', web as unknown as Hono<ApiEnv>);
}
