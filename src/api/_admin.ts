/** Admin routes: gateway keys, users, the audit log, read-only SQL, and the local CLI's command channel. */
import type { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { actorOf, requirePermission } from './_roles.js';
import { createUser, createdUserDocument, parseRole, userView } from './_users.js';
import { commandResponse, principalOf, type ApiDeps, type ApiEnv } from './_context.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
async function body(c: { req: { json(): Promise<unknown> } }): Promise<Record<string, unknown>> {
  const b = await c.req.json().catch(() => null);
  if (!b || typeof b !== 'object' || Array.isArray(b))
    throw new TallyError('invalid_input', 'send a JSON object body');
  return b as Record<string, unknown>;
}

/** Registers the admin routes. */
export function adminRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.post('/api/v1/keys', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'keys');
    const b = await body(c);
    const argv = ['keys', 'create', '--json'];
    for (const [k, v] of Object.entries(b)) {
      if (!/^[a-z][a-z-]*$/.test(k)) throw new TallyError('invalid_input', `unknown field ${k}`);
      if (typeof v === 'boolean') {
        if (v) argv.push(`--${k}`);
      } else if (Array.isArray(v)) for (const x of v) argv.push(`--${k}=${String(x)}`);
      else if (typeof v === 'string' || typeof v === 'number') argv.push(`--${k}=${String(v)}`);
    }
    return commandResponse(deps, principal, argv);
  });
  app.delete('/api/v1/keys/:id', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'keys');
    // After `--` the id is the id whatever it starts with (`--help` or `--config=...` are not options).
    return commandResponse(deps, principal, ['keys', 'revoke', '--json', '--', c.req.param('id')]);
  });

  app.post('/api/v1/keys/:id/rotate', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'keys');
    return commandResponse(deps, principal, ['keys', 'rotate', '--json', '--', c.req.param('id')]);
  });

  app.get('/api/v1/users', async (c) => {
    requirePermission(principalOf(c.get('caller')), 'users');
    return c.json({ users: (await deps.store.listUsers()).map(userView) });
  });
  app.post('/api/v1/users', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'users');
    const b = await body(c);
    const teams = Array.isArray(b['teams'])
      ? b['teams'].filter((t): t is string => typeof t === 'string')
      : [];
    const { user, token } = await createUser(
      deps.store,
      { name: str(b['name']) ?? '', role: parseRole(str(b['role'])), teams },
      deps.now(),
    );
    await deps.store.appendAudit({
      at: deps.now(),
      actor: actorOf(principal),
      action: 'users create',
      target: user.id,
      details: { role: user.role, teams: user.teams },
    });
    return c.json(createdUserDocument(user, token), 201);
  });
  app.delete('/api/v1/users/:id', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'users');
    const id = c.req.param('id');
    if (!(await deps.store.findUserById(id))) throw new TallyError('not_found', `no user ${id}`);
    await deps.store.revokeUser(id, deps.now());
    await deps.store.appendAudit({
      at: deps.now(),
      actor: actorOf(principal),
      action: 'users revoke',
      target: id,
      details: {},
    });
    return c.json({ id, status: 'revoked' });
  });

  app.get('/api/v1/audit', async (c) => {
    requirePermission(principalOf(c.get('caller')), 'audit');
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? '100') || 100));
    const beforeText = c.req.query('before');
    const before = beforeText ? new Date(beforeText) : undefined;
    if (before && Number.isNaN(before.getTime()))
      throw new TallyError('invalid_input', 'before must be an ISO time');
    const items = await deps.store.listAudit({ limit, before });
    const last = items.at(-1);
    return c.json({
      items: items.map((e) => ({ ...e, at: e.at.toISOString() })),
      next:
        items.length === limit && last
          ? `/api/v1/audit?limit=${limit}&before=${encodeURIComponent(last.at.toISOString())}`
          : null,
    });
  });

  app.post('/api/v1/sql', async (c) => {
    const principal = principalOf(c.get('caller'));
    requirePermission(principal, 'sql');
    const sql = str((await body(c))['sql']);
    if (!sql) throw new TallyError('invalid_input', 'give {"sql": "SELECT ..."}');
    c.set('changedNothing', true); // the read-only sandbox
    // After `--` the text is the query whatever it starts with (`--help` or `--db=...` are not options).
    return commandResponse(deps, principal, ['sql', '--json', '--', sql]);
  });

  // The local CLI's channel: any command, run here on the owner's store, output returned as printed.
  app.post('/api/v1/cli', async (c) => {
    const principal = principalOf(c.get('caller'));
    if (principal.kind !== 'local')
      throw new TallyError(
        'forbidden',
        'only the local CLI (holding the store owner secret) may run commands',
      );
    const b = await body(c);
    const argv = b['argv'];
    if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string'))
      throw new TallyError('invalid_input', 'argv must be an array of strings');
    const user = str(b['user'])?.slice(0, 64) ?? 'unknown';
    const r = await deps.run(argv, { scope: null, actor: `cli:${user}` });
    if (readsOnly(argv)) c.set('changedNothing', true);
    return c.json(r);
  });
}

/**
 * Commands that only read the store, so forwarding them from the CLI keeps the report cache. Conservative: a
 * command that may store anything (anomalies stores incidents, alerts record what they sent) is not here.
 */
const READ_ONLY: readonly (readonly string[])[] = [
  ['usage'],
  ['costs'],
  ['chargeback'],
  ['reconcile'],
  ['unit-economics'],
  ['forecast'],
  ['recommend'],
  ['carbon'],
  ['maturity'],
  ['freshness'],
  ['estimate'],
  ['tokens'],
  ['prices'],
  ['validate'],
  ['sql'],
  ['budgets', 'status'],
  ['keys', 'list'],
  ['users', 'list'],
];

/** Whether a forwarded command line is one of the read-only commands (`prices import` writes). */
export function readsOnly(argv: readonly string[]): boolean {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (words[0] === 'prices' && words[1] === 'import') return false;
  return READ_ONLY.some((cmd) => cmd.every((w, i) => words[i] === w));
}
