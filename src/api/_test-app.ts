/** Test helper: the API app without a socket over an in-memory store, its commands recorded, three users. */
import { configSchema } from '../core/index.js';
import { openStore, type CostStore } from '../store/index.js';
import { storedIncidentTeams } from '../alerts/index.js';
import { createApiApp, type ApiDeps } from './app.js';
import { createUser } from './_users.js';

export interface Ran {
  argv: readonly string[];
  scope: { teams: readonly string[] } | null;
  actor: string;
}

/** The app, its store, the commands it ran, and an admin, a team-lead of search and a viewer of claims. */
export async function setup(
  output: (argv: readonly string[]) => string = () => '{"rows":[1,2,3,4,5]}\n',
  more: Partial<ApiDeps> = {},
) {
  const store: CostStore = await openStore({ path: ':memory:' });
  const ran: Ran[] = [];
  const deps: ApiDeps = {
    store,
    config: configSchema.parse({}),
    storePath: '/data/t.duckdb',
    secret: 'owner-secret-0123456789',
    secureCookies: false,
    sessionHours: 1,
    now: () => new Date(),
    run(argv, opts) {
      ran.push({ argv, ...opts });
      return Promise.resolve({ code: 0, stdout: output(argv), stderr: '' });
    },
    incidentTeams: (id) => storedIncidentTeams(store, id),
    ...more,
  };
  const app = createApiApp(deps);
  // Two incidents the scheduled pass stored: one of team search, one of team claims.
  for (const team of ['search', 'claims'])
    await store.setMeta('incidents', `usage:team=${team}:day`, {
      id: `usage:team=${team}:day`,
      start: '2026-11-02T00:00:00.000Z',
      end: '2026-11-03T00:00:00.000Z',
      scopes: [`team=${team}`],
      rootCause: `team=${team}`,
    });
  await store.setMeta('incidents', '_index', {
    ids: ['usage:team=search:day', 'usage:team=claims:day'],
    coveredFrom: '2026-11-01T00:00:00.000Z',
    coveredTo: '2026-11-30T00:00:00.000Z',
  });
  const admin = await createUser(store, { name: 'ada', role: 'admin', teams: [] });
  const lead = await createUser(store, { name: 'lee', role: 'team-lead', teams: ['search'] });
  const viewer = await createUser(store, { name: 'vi', role: 'viewer', teams: ['claims'] });
  const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
  return { app, store, ran, admin, lead, viewer, bearer, deps };
}
