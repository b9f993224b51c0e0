/** Mounts the dashboard (src/web) on the API app, fed by the same commands the API runs. */
import type { Hono } from 'hono';
import type { ApiEnv, CommandResult } from '../api/index.js';

/** Mounts the dashboard's pages. */
export function mountDashboard(
  app: Hono<ApiEnv>,
  _run: (
    argv: readonly string[],
    o: { scope: { teams: readonly string[] } | null; actor: string },
  ) => Promise<CommandResult>,
): void {
  app.get('/', (c) => c.redirect('/api/v1/openapi.json'));
}
