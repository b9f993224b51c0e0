/** Writes of the API: budgets, incident states, alert passes and FOCUS exports. Each is audited. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Hono } from 'hono';
import { sitePath, TallyError } from '../core/index.js';
import { actorOf, requirePermission, teamScope, type Principal } from './_roles.js';
import { commandResponse, principalOf, type ApiDeps, type ApiEnv } from './_context.js';

const INCIDENT_STATES = ['new', 'acknowledged', 'resolved'] as const;

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<Record<string, unknown>> {
  const body = await c.req.json().catch(() => {
    throw new TallyError('invalid_input', 'send a JSON object body');
  });
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new TallyError('invalid_input', 'send a JSON object body');
  return body as Record<string, unknown>;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** Sets an incident's state for a principal (a scoped one only on its teams' incidents), audited. */
export async function setIncidentState(
  deps: Pick<ApiDeps, 'store' | 'now' | 'incidentTeams'>,
  principal: Principal,
  id: string,
  state: string,
  note: string | null,
): Promise<Record<string, unknown>> {
  requirePermission(principal, 'incident-state');
  if (!(INCIDENT_STATES as readonly string[]).includes(state))
    throw new TallyError('invalid_input', `state must be one of ${INCIDENT_STATES.join(', ')}`, {
      param: 'state',
    });
  const scope = teamScope(principal);
  // A scoped caller changes only incidents it can list: shown by Tally (stored by the scheduled pass, or found by
  // a scan it ran) and touching one of its teams (by the incident's own scopes, never by what the id's text says).
  // Another team's incident is answered exactly like an unknown id, so an id cannot be used to confirm a guess.
  if (scope) {
    const teams = await deps.incidentTeams(id);
    if (!teams || !teams.some((t) => scope.teams.includes(t)))
      throw new TallyError('not_found', 'no such incident among your teams', { id });
  }
  const at = deps.now();
  const actor = actorOf(principal);
  await deps.store.setIncidentState({
    id,
    state: state as (typeof INCIDENT_STATES)[number],
    changedBy: actor,
    changedAt: at,
    note,
  });
  await deps.store.appendAudit({
    at,
    actor,
    action: `anomaly ${state}`,
    target: id,
    details: note ? { note } : {},
  });
  return { id, state, stateBy: actor, stateAt: at.toISOString(), note };
}

/** Registers the write routes. */
export function writeRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.post('/api/v1/budgets', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'budgets-write');
    const b = await jsonBody(c);
    const argv = ['budgets', 'set', '--json'];
    // Body keys are `tally budgets set`'s options (thresholds: percents on actual spend, as a list or "50,80").
    for (const [flag, keys] of [
      ['scope', ['scope']],
      ['value', ['value']],
      ['amount', ['amount']],
      ['period', ['period']],
      ['actual', ['thresholds', 'actual']],
      ['forecast', ['forecastThresholds', 'forecast']],
      ['start', ['start', 'from']],
      ['end', ['end', 'to']],
    ] as const) {
      const raw = keys.map((k) => b[k]).find((x) => x !== undefined);
      const v = Array.isArray(raw) ? raw.map(str).join(',') : str(raw);
      if (v !== undefined) argv.push(`--${flag}=${v}`);
    }
    if (b['hard'] === true) argv.push('--hard');
    return commandResponse(deps, principal, argv);
  });
  app.delete('/api/v1/budgets/:id', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'budgets-write');
    return commandResponse(deps, principal, ['budgets', 'delete', '--json', `--id=${c.req.param('id')}`]);
  });

  app.post('/api/v1/anomalies/:id/state', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'incident-state');
    const type = c.req.header('content-type') ?? '';
    const b = type.startsWith('application/json') ? await jsonBody(c) : await c.req.parseBody();
    const state = str(b['state']);
    if (!state || !(INCIDENT_STATES as readonly string[]).includes(state))
      throw new TallyError('invalid_input', `state must be one of ${INCIDENT_STATES.join(', ')}`, {
        param: 'state',
      });
    const id = c.req.param('id');
    const doc = await setIncidentState(deps, principal, id, state, str(b['note']) ?? null);
    const back = sitePath(str(b['redirect']), '');
    if (back) return c.redirect(back, 303);
    return c.json(doc);
  });

  // An alert pass now, as `tally alerts run` (the schedule runs it every alerts.intervalSeconds anyway).
  app.post('/api/v1/alerts/run', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'alerts');
    const b = (c.req.header('content-length') ?? '0') === '0' ? {} : await jsonBody(c);
    const argv = ['alerts', 'run', '--json'];
    const at = str(b['at']);
    if (at !== undefined) argv.push(`--at=${at}`);
    if (b['dryRun'] === true) {
      argv.push('--dry-run');
      c.set('changedNothing', true);
    }
    return commandResponse(deps, principal, argv);
  });

  app.get('/api/v1/export/focus', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'export');
    const period = c.req.query('period');
    if (!period) throw new TallyError('invalid_input', 'give period=YYYY-MM', { param: 'period' });
    const dir = await mkdtemp(join(tmpdir(), 'tally-export-'));
    try {
      const out = join(dir, `focus-${period.replace(/[^0-9-]/g, '')}.csv`);
      const argv = ['export', 'focus', '--json', `--period=${period}`, `--out=${out}`];
      const by = c.req.query('by');
      if (by) argv.push(`--by=${by}`);
      await commandResponse(deps, principal, argv);
      return new Response(await readFile(out), {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${basename(out)}"`,
          'cache-control': 'no-store',
        },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
