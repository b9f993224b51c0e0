/**
 * Dev harness for the dashboard (not shipped): serves createWebApp with a WebDeps that runs the CLI's
 * `--json` reports on a copy of the demo store, until the real server (src/server) mounts it.
 *   cp /tmp/demo/t.duckdb /tmp/web-demo.duckdb
 *   node --import tsx scripts/web-dev.ts [--db /tmp/web-demo.duckdb] [--port 8791]
 * Sign in with token `admin`, `finance`, `lead` (team-lead of search and platform) or `viewer` (marketing).
 * Team scoping is approximated by filtering rows here (the server scopes inside the commands). Results are
 * cached on disk by arguments; writes bypass the cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { TallyError } from '../src/core/index.js';
import { createWebApp, type WebDeps, type WebUser, type WebVariables } from '../src/web/index.js';

const { values: opts } = parseArgs({
  options: {
    db: { type: 'string', default: '/tmp/web-demo.duckdb' },
    port: { type: 'string', default: '8791' },
    cache: { type: 'string', default: '/tmp/web-dev-cache' },
  },
});
const DB = opts.db!;
const CACHE = opts.cache!;
mkdirSync(CACHE, { recursive: true });

const USERS: Record<string, WebUser> = {
  admin: { id: 'u-admin', name: 'Ada Admin', role: 'admin', teams: [] },
  finance: { id: 'u-fin', name: 'Fin Ance', role: 'finance', teams: [] },
  lead: { id: 'u-lead', name: 'Lea Lead', role: 'team-lead', teams: ['search', 'platform'] },
  viewer: { id: 'u-view', name: 'Vic Viewer', role: 'viewer', teams: ['marketing'] },
};

let running = 0;
const queue: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

function cli(args: string[], cache = true): Promise<unknown> {
  const key = createHash('sha1').update(JSON.stringify(args)).digest('hex');
  const file = `${CACHE}/${key}.json`;
  if (cache && existsSync(file)) return Promise.resolve(JSON.parse(readFileSync(file, 'utf8')));
  return slot(
    () =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'src/cli/main.ts', ...args, '--db', DB, '--json'],
          { maxBuffer: 64 << 20 },
          (err, stdout, stderr) => {
            if (err)
              return reject(new TallyError('invalid_input', stderr.trim().split('\n')[0] || err.message));
            if (cache) writeFileSync(file, stdout);
            resolve(JSON.parse(stdout));
          },
        );
      }),
  );
}

type Row = Record<string, unknown>;

async function costs(p: Record<string, string>): Promise<unknown> {
  const args = ['costs', '--from', p['from']!, '--to', p['to']!, '--by', p['by'] ?? 'ServiceName'];
  if (p['granularity']) args.push('--granularity', p['granularity']);
  for (const f of (p['filter'] ?? '').split(';').filter(Boolean)) args.push('--filter', f);
  if (p['aiOnly'] === 'true') args.push('--ai-only');
  return cli(args);
}

const states = new Map<string, { state: string; by: string; at: string }>();
const scoped = (u: WebUser, team: unknown) => u.teams.length === 0 || u.teams.includes(String(team));

const deps: WebDeps = {
  now: () => new Date('2026-12-02T09:30:00Z'),
  async report(name, p, user) {
    if (['reconcile', 'unit-economics', 'freshness'].includes(name) && user.teams.length > 0)
      throw new TallyError('forbidden', `${name} is org-wide: admins and finance only`);
    switch (name) {
      case 'costs':
        return costs(p);
      case 'usage':
        return (
          (await cli(['usage', '--from', p['from']!, '--to', p['to']!, '--by', p['by']!])) as Row[]
        ).filter((r) => !('team' in r) || scoped(user, r['team']));
      case 'chargeback': {
        const doc = (await cli([
          'chargeback',
          '--period',
          p['period']!,
          '--by',
          p['by'] ?? 'team',
        ])) as Row & { rows: Row[] };
        return {
          ...doc,
          rows: doc.rows.filter((r) => (p['by'] ?? 'team') !== 'team' || scoped(user, r['team'])),
        };
      }
      case 'reconcile':
      case 'unit-economics':
        return cli([name, '--period', p['period']!]);
      case 'budgets':
        return cli(['budgets', 'status'], false);
      case 'forecast':
        return cli([
          'forecast',
          '--scope',
          p['scope'] ?? 'all',
          '--horizon',
          p['horizon'] ?? '7',
          '--to',
          '2026-12-02',
        ]);
      case 'anomalies': {
        const doc = (await cli(['anomalies', '--from', p['from']!, '--to', p['to']!])) as {
          anomalies: Row[];
        };
        return {
          ...doc,
          anomalies: doc.anomalies.map((a) => ({
            ...a,
            state: 'new',
            stateBy: null,
            stateAt: null,
            ...states.get(String(a['id'])),
          })),
        };
      }
      case 'keys':
        if (user.role !== 'admin') throw new TallyError('forbidden', 'admins only');
        return cli(['keys', 'list'], false);
      case 'freshness':
        return cli(['freshness']);
    }
  },
  async action(name, p, user) {
    switch (name) {
      case 'anomaly-state':
        if (user.role === 'viewer') throw new TallyError('forbidden', 'viewers cannot change anomalies');
        states.set(p['id']!, { state: p['state']!, by: user.name, at: new Date().toISOString() });
        return { ok: true };
      case 'budget-set': {
        const args = [
          'budgets',
          'set',
          '--scope',
          p['scope']!,
          '--amount',
          p['amount']!,
          '--period',
          p['period'] ?? 'month',
        ];
        if (p['value']) args.push('--value', p['value']);
        return cli(args, false);
      }
      case 'budget-delete':
        return cli(['budgets', 'delete', p['id']!], false);
      case 'key-revoke':
        return cli(['keys', 'revoke', p['id']!], false);
    }
  },
};

const app = new Hono<{ Variables: WebVariables }>();
app.use(async (c, next) => {
  c.set('user', USERS[getCookie(c, 'dev-user') ?? ''] ?? null);
  c.set('csrfToken', 'dev-csrf');
  await next();
});
app.post('/login', async (c) => {
  const f = await c.req.parseBody();
  const next = String(f['next'] ?? '/');
  if (!USERS[String(f['token'])]) return c.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
  setCookie(c, 'dev-user', String(f['token']), { httpOnly: true, sameSite: 'Lax', path: '/' });
  return c.redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/', 303);
});
app.post('/logout', (c) => {
  deleteCookie(c, 'dev-user', { path: '/' });
  return c.redirect('/login', 303);
});
app.route('/', createWebApp(deps));
serve({ fetch: app.fetch, port: Number(opts.port) }, (i) =>
  console.log(`web-dev on http://localhost:${i.port}`),
);
