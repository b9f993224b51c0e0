/** Test helper: the API app over an in-memory store, with the real CLI commands behind it (no socket, no worker). */
import { configSchema } from '../src/core/index.js';
import { main } from '../src/cli/index.js';
import type { CostStore } from '../src/store/index.js';
import { storedIncidentTeams } from '../src/alerts/index.js';
import { createApiApp, type ApiDeps } from '../src/api/index.js';

/** The API of a server that owns `store`, every report run by the real command on that store. */
export function apiOverStore(store: CostStore) {
  const config = configSchema.parse({});
  const deps: ApiDeps = {
    store,
    config,
    storePath: ':memory:',
    secret: 'owner-secret-0123456789',
    secureCookies: false,
    sessionHours: 1,
    now: () => new Date(),
    incidentTeams: (id) => storedIncidentTeams(store, id),
    async run(argv, opts) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, {
        store,
        config,
        scope: opts.scope,
        actor: opts.actor,
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
      });
      return { code, stdout, stderr };
    },
  };
  return { app: createApiApp(deps), config };
}
