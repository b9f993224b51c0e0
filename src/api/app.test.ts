/** The API without a socket: authentication, sessions and CSRF, roles, scopes passed to reports, paging, problems. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { configSchema } from '../core/index.js';
import { openStore, type CostStore } from '../store/index.js';
import { createApiApp, type ApiDeps } from './app.js';
import { createUser, hashToken } from './_users.js';
import { AUTH_FAILURES_PER_WINDOW } from './_auth-throttle.js';
import { identityProof } from '../owner/index.js';
import { storedIncidentTeams } from '../alerts/index.js';

interface Ran {
  argv: readonly string[];
  scope: { teams: readonly string[] } | null;
  actor: string;
}

async function setup(
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

test('a report runs its command with --json and the caller scope, and returns what it printed', async () => {
  const { app, ran, admin, lead, bearer } = await setup();
  const res = await app.request('/api/v1/chargeback?period=2026-11&by=team&team=search', bearer(lead.token));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '{"rows":[1,2,3,4,5]}\n');
  assert.deepEqual(ran[0]!.argv, ['chargeback', '--json', '--period=2026-11', '--by=team', '--team=search']);
  assert.deepEqual(ran[0]!.scope, { teams: ['search'] });
  assert.equal(ran[0]!.actor, `user:${lead.user.id}`);
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran[1]!.scope, null, 'admin sees every team');
});

test('no token is 401, an unknown token is 401, and errors are problem documents with a code', async () => {
  const { app, bearer } = await setup();
  const none = await app.request('/api/v1/costs');
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('content-type'), 'application/problem+json');
  const body = (await none.json()) as { code: string; status: number; detail: string };
  assert.equal(body.code, 'unauthorized');
  assert.equal(body.status, 401);
  assert.equal((await app.request('/api/v1/costs', bearer('tally-ut-nope'))).status, 401);
});

test('roles decide what a token may read and write', async () => {
  const { app, lead, viewer, admin, bearer } = await setup();
  for (const path of ['/api/v1/keys', '/api/v1/reconcile?period=2026-11', '/api/v1/users', '/api/v1/audit'])
    assert.equal((await app.request(path, bearer(lead.token))).status, 403, path);
  assert.equal((await app.request('/api/v1/keys', bearer(admin.token))).status, 200);
  const post = (token: string, path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await post(viewer.token, '/api/v1/budgets', { amount: '10' })).status, 403);
  assert.equal((await post(lead.token, '/api/v1/budgets', { amount: '10' })).status, 403);
  assert.equal(
    (
      await post(viewer.token, '/api/v1/anomalies/usage%3Ateam%3Dclaims%3Aday/state', {
        state: 'acknowledged',
      })
    ).status,
    403,
  );
  assert.equal(
    (await post(lead.token, '/api/v1/anomalies/usage%3Ateam%3Dsearch%3Aday/state', { state: 'acknowledged' }))
      .status,
    200,
  );
  assert.equal(
    (await post(lead.token, '/api/v1/anomalies/usage%3Ateam%3Dclaims%3Aday/state', { state: 'acknowledged' }))
      .status,
    403,
  );
  assert.equal(
    (await post(lead.token, '/api/v1/cli', { argv: ['keys', 'list'] })).status,
    403,
    'only the owner secret runs commands',
  );
});

test('unknown report parameters are refused instead of ignored', async () => {
  const { app, admin, bearer, ran } = await setup();
  const res = await app.request('/api/v1/chargeback?period=2026-11&peroid=2026-10', bearer(admin.token));
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { details: { param: string } }).details.param, 'peroid');
  assert.equal(ran.length, 0);
});

test('paging slices the list and says how many there are and where the next page is', async () => {
  const { app, admin, bearer } = await setup();
  const res = await app.request('/api/v1/costs?limit=2&offset=1', bearer(admin.token));
  assert.deepEqual(await res.json(), { rows: [2, 3] });
  assert.equal(res.headers.get('x-total-count'), '5');
  assert.match(res.headers.get('link') ?? '', /offset=3/);
  assert.equal((await app.request('/api/v1/costs?limit=0', bearer(admin.token))).status, 400);
});

test('a command failure becomes the problem of its error code', async () => {
  const { app, admin, bearer } = await setup(
    () => '{"error":{"code":"not_found","message":"no spend","details":{}}}\n',
  );
  const res = await app.request('/api/v1/forecast?scope=team=x', bearer(admin.token));
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { detail: string }).detail, 'no spend');
});

test('a browser logs in with its token, must echo the CSRF token on writes, and logs out', async () => {
  const { app, lead } = await setup();
  const form = (fields: Record<string, string>, cookie = '') => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  });
  // The login form is CSRF-protected by a pre-session cookie.
  const first = await app.request('/api/v1/openapi.json');
  assert.equal(first.status, 200);
  const pre = await app.request('/login', form({ token: lead.token }));
  assert.equal(pre.status, 403, 'a login post without the CSRF token is refused');
  const anon = await app.request('/api/v1/me');
  const csrfCookie = /tally_csrf=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')![1]!;
  const bad = await app.request(
    '/login',
    form({ token: 'tally-ut-wrong', _csrf: csrfCookie, next: '/teams' }, `tally_csrf=${csrfCookie}`),
  );
  assert.equal(bad.status, 303);
  assert.match(bad.headers.get('location') ?? '', /^\/login\?failed=1/);
  const ok = await app.request(
    '/login',
    form({ token: lead.token, _csrf: csrfCookie, next: '//evil.example/' }, `tally_csrf=${csrfCookie}`),
  );
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/', 'next never leaves the site');
  // Browsers drop a tab inside a URL and read a backslash as a slash: both make "//evil.example", and the parser folds "/./" into it.
  for (const next of ['/\t/evil.example/', '/\\evil.example/', '/\n/evil.example', '/.//evil.example/']) {
    const tricked = await app.request(
      '/login',
      form({ token: lead.token, _csrf: csrfCookie, next }, `tally_csrf=${csrfCookie}`),
    );
    assert.equal(tricked.status, 303, JSON.stringify(next));
    assert.equal(tricked.headers.get('location'), '/', `next ${JSON.stringify(next)} never leaves the site`);
  }
  const setCookie = ok.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /tally_session=[^;]+;.*HttpOnly/i);
  assert.match(setCookie, /SameSite=Lax/i);
  const session = `tally_session=${/tally_session=([^;]+)/.exec(setCookie)![1]!}`;
  const me = (await (await app.request('/api/v1/me', { headers: { cookie: session } })).json()) as {
    name: string;
    teams: string[];
  };
  assert.deepEqual([me.name, me.teams], ['lee', ['search']]);
  // A write from the session without its CSRF token is refused; with it, allowed.
  const noCsrf = await app.request(
    '/api/v1/anomalies/usage%3Ateam%3Dsearch%3Aday/state',
    form({ state: 'resolved' }, session),
  );
  assert.equal(noCsrf.status, 403);
  const out = await app.request('/logout', form({}, session));
  assert.equal(out.status, 403, 'logout is a write too');
  assert.equal((await app.request('/api/v1/me', { headers: { cookie: session } })).status, 200);
});

test('the identity proof names the store and needs no token', async () => {
  const { app, deps } = await setup();
  const nonce = 'n'.repeat(24);
  const res = await app.request(`/api/v1/server/identity?nonce=${nonce}`);
  assert.equal(
    ((await res.json()) as { proof: string }).proof,
    identityProof(deps.secret, nonce, deps.storePath),
  );
  assert.equal((await app.request('/api/v1/server/identity?nonce=short')).status, 400);
});

test('the owner secret is the local CLI: it may run commands, audited under the CLI user', async () => {
  const { app, deps, ran } = await setup();
  const res = await app.request('/api/v1/cli', {
    method: 'POST',
    headers: { authorization: `Bearer ${deps.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ argv: ['keys', 'list', '--json'], user: 'ops' }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(ran[0], { argv: ['keys', 'list', '--json'], scope: null, actor: 'cli:ops' });
});

test('a repeated report is served from the cache until a write clears it', async () => {
  const { app, admin, bearer, ran } = await setup();
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran.length, 1);
  await app.request('/api/v1/usage?by=team', bearer(admin.token));
  await app.request('/api/v1/usage?by=team', bearer(admin.token));
  assert.equal(ran.length, 3, 'usage is live');
  await app.request('/api/v1/budgets', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '10' }),
  });
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran.length, 5, 'the write cleared the cached chargeback');
});

test('a read the CLI forwards keeps the cached reports, and a write it forwards clears them', async () => {
  const { app, admin, bearer, deps, ran } = await setup();
  const cli = (argv: string[]) =>
    app.request('/api/v1/cli', {
      method: 'POST',
      headers: { authorization: `Bearer ${deps.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ argv, user: 'ops' }),
    });
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  await cli(['chargeback', '--period', '2026-11', '--json']);
  await cli(['budgets', 'status', '--json']);
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran.length, 3, 'forwarded reads left the cached chargeback in place');
  await cli(['budgets', 'set', '--amount', '10']);
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran.length, 5, 'the forwarded write cleared it');
  await cli(['prices', 'import', 'sheet.csv']);
  await app.request('/api/v1/chargeback?period=2026-11', bearer(admin.token));
  assert.equal(ran.length, 7, 'prices import is a write although prices alone only reads');
});

test('unit economics by feature is the same command, so the API returns the document the CLI prints', async () => {
  const { app, ran, admin, bearer } = await setup();
  const res = await app.request('/api/v1/unit-economics?period=2026-11&by=feature', bearer(admin.token));
  assert.equal(res.status, 200);
  assert.deepEqual(ran[0]!.argv, ['unit-economics', '--json', '--period=2026-11', '--by=feature']);
});

test('creating a user through the API answers the document `tally users create --json` prints, token once', async () => {
  const { app, admin, store } = await setup();
  const res = await app.request('/api/v1/users', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fin', role: 'finance', teams: [] }),
  });
  assert.equal(res.status, 201);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc).sort(), ['id', 'name', 'role', 'teams', 'token']);
  assert.deepEqual([doc['name'], doc['role'], doc['teams']], ['fin', 'finance', []]);
  const listed = await app.request('/api/v1/users', { headers: { authorization: `Bearer ${doc['token']}` } });
  assert.equal(listed.status, 403, 'the new token works and carries its role (finance may not manage users)');
  const stored = await store.findUserById(String(doc['id']));
  assert.equal(stored?.role, 'finance');
  assert.doesNotMatch(JSON.stringify(stored), new RegExp(String(doc['token'])), 'only a hash is stored');
});

test('an incident state form posted to the API cannot send the browser to another site afterwards', async () => {
  const { app, lead } = await setup();
  for (const redirect of [
    '/\\evil.example/',
    '/\t/evil.example/',
    '//evil.example/',
    '/.//evil.example/',
    'https://evil.example/',
  ]) {
    const res = await app.request('/api/v1/anomalies/usage%3Ateam%3Dsearch%3Aday/state', {
      method: 'POST',
      headers: { authorization: `Bearer ${lead.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ state: 'acknowledged', redirect }).toString(),
    });
    assert.equal(res.headers.get('location'), null, `redirect ${JSON.stringify(redirect)} is not followed`);
    assert.equal(res.status, 200);
  }
  const home = await app.request('/api/v1/anomalies/usage%3Ateam%3Dsearch%3Aday/state', {
    method: 'POST',
    headers: { authorization: `Bearer ${lead.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ state: 'acknowledged', redirect: '/anomalies?done=1' }).toString(),
  });
  assert.equal(home.headers.get('location'), '/anomalies?done=1');
});

test('a SQL text that looks like options is passed as the query, never as options of the command', async () => {
  const { app, ran, admin } = await setup(() => '[]\n');
  for (const sql of ['--help', '--db=/etc/other.duckdb']) {
    const res = await app.request('/api/v1/sql', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(ran.at(-1)!.argv, ['sql', '--json', '--', sql]);
  }
});

test('an oversized body is refused with a 413 problem before it is read, with or without a Content-Length', async () => {
  const { app, admin, ran } = await setup();
  const big = JSON.stringify({ amount: '1', note: 'x'.repeat(2 * 1024 * 1024) });
  const json = await app.request('/api/v1/budgets', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: big,
  });
  assert.equal(json.status, 413);
  assert.equal(((await json.json()) as { code: string }).code, 'payload_too_large');
  const login = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${'a'.repeat(2 * 1024 * 1024)}`,
  });
  assert.equal(login.status, 413, 'the login form too (before the CSRF check parses it)');
  // A chunked body (no Content-Length) is counted as it arrives.
  const chunks = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (let i = 0; i < 3; i++) ctl.enqueue(new Uint8Array(512 * 1024).fill(97));
      ctl.close();
    },
  });
  const chunked = await app.request('/api/v1/sql', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  assert.equal(chunked.status, 413);
  assert.equal(ran.length, 0, 'no command ran');
});

test('an upload past the upload limit is refused with a 413 even when it is sent chunked', async () => {
  const { app, admin, ran } = await setup(undefined, { maxUploadBytes: 3000 });
  const chunks = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (let i = 0; i < 4; i++) ctl.enqueue(new Uint8Array(1024).fill(97));
      ctl.close();
    },
  });
  const res = await app.request('/api/v1/ingest', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  assert.equal(res.status, 413);
  assert.equal(ran.length, 0);
});

/** A chunked body of `total` bytes, handed out 64 KiB a read; `pulled()` is how many the server has taken. */
function countedBody(total: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctl) {
        if (pulled >= total) return ctl.close();
        const n = Math.min(64 * 1024, total - pulled);
        pulled += n;
        ctl.enqueue(new Uint8Array(n).fill(97));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

test('an upload from a caller without a token or without the ingest permission is refused having read at most 1 MiB', async () => {
  const { app, viewer, ran } = await setup();
  for (const authorization of [undefined, 'Bearer tally-ut-unknown', `Bearer ${viewer.token}`]) {
    const body = countedBody(8 * 1024 * 1024);
    const res = await app.request('/api/v1/ingest?name=big.csv', {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(authorization ? { authorization } : {}) },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    assert.ok([401, 403, 413].includes(res.status), `${authorization}: ${res.status}`);
    assert.ok(body.pulled() <= 1024 * 1024 + 64 * 1024, `${authorization}: read ${body.pulled()} bytes`);
  }
  assert.equal(ran.length, 0);
});

test('an authenticated finance or admin upload of a few MiB, sent chunked, is loaded whole', async () => {
  const sizes: number[] = [];
  const { app, admin, store } = await setup((argv) => {
    sizes.push(statSync(argv.find((a) => a.endsWith('.csv') && !a.startsWith('--'))!).size);
    return '{"files":[]}\n';
  });
  const finance = await createUser(store, { name: 'fin', role: 'finance', teams: [] });
  for (const token of [finance.token, admin.token]) {
    const body = countedBody(3 * 1024 * 1024 + 5);
    const res = await app.request('/api/v1/ingest?name=costs.csv', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 200, await res.text());
  }
  assert.deepEqual(sizes, [3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 5]);
});

test("an upload's error names the uploaded file, never the server's temporary path", async () => {
  // The command names the file it was given, as `tally ingest` does for a file without a header row.
  const { app, admin } = await setup((argv) => {
    const file = argv.at(-2)!;
    return `${JSON.stringify({ error: { code: 'invalid_input', message: `${file}: no header row found`, details: { file } } })}\n`;
  });
  const res = await app.request('/api/v1/ingest?name=costs.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'junk',
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.doesNotMatch(text, /tally-upload-|\/tmp\//, text);
  assert.match(text, /costs\.csv: no header row found/);
});

test("an ingest upload is recorded under the uploaded name, and its answer names the quarantine file without the server's folder", async () => {
  const { app, admin, ran } = await setup((argv) => {
    const file = argv.at(-2)!;
    return `${JSON.stringify({ files: [{ file, status: 'loaded' }], rowsRejected: 1, quarantine: '/srv/tally/quarantine/quarantine-r1.csv' })}\n`;
  });
  const res = await app.request('/api/v1/ingest?name=costs.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'a,b\n1,2\n',
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.doesNotMatch(text, /tally-upload-|\/tmp\/|\/srv\//, text);
  assert.deepEqual(JSON.parse(text), {
    files: [{ file: 'costs.csv', status: 'loaded' }],
    rowsRejected: 1,
    quarantine: 'quarantine-r1.csv',
  });
  assert.ok(ran[0]!.argv.includes('--name=costs.csv'), 'the command records the uploaded name');
  const sheet = await app.request('/api/v1/prices/import?name=ea-sheet.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'a,b\n1,2\n',
  });
  assert.equal(sheet.status, 200);
  assert.ok(ran[1]!.argv.includes('--name=ea-sheet.csv'), 'a price sheet too (a re-upload replaces it)');
});

test('past 100 failed sign-ins or bearer tokens a minute an address gets 429s for wrong tokens, while a right token still passes', async () => {
  let now = Date.parse('2026-12-03T10:00:00Z');
  const { app, admin } = await setup(undefined, { now: () => new Date(now) });
  assert.equal(AUTH_FAILURES_PER_WINDOW, 100);
  for (let i = 0; i < AUTH_FAILURES_PER_WINDOW; i++)
    assert.equal(
      (await app.request('/api/v1/me', { headers: { authorization: `Bearer tally-ut-guess${i}` } })).status,
      401,
    );
  const blocked = await app.request('/api/v1/me', {
    headers: { authorization: 'Bearer tally-ut-guess-more' },
  });
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  // A right token is checked first and always passes: wrong tokens from an address (everyone behind a proxy, a
  // local process) never lock out its users or the owner's CLI.
  assert.equal(
    (await app.request('/api/v1/me', { headers: { authorization: `Bearer ${admin.token}` } })).status,
    200,
  );
  now += 61_000;
  assert.equal(
    (await app.request('/api/v1/me', { headers: { authorization: 'Bearer tally-ut-guess-after' } })).status,
    401,
  );
});

test('failed sign-ins through the login form count toward the same limit', async () => {
  const { app } = await setup();
  const anon = await app.request('/api/v1/me');
  const csrf = /tally_csrf=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')![1]!;
  const login = () =>
    app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tally_csrf=${csrf}` },
      body: new URLSearchParams({ token: 'tally-ut-guess', _csrf: csrf }).toString(),
    });
  for (let i = 0; i < AUTH_FAILURES_PER_WINDOW; i++) assert.equal((await login()).status, 303);
  assert.equal((await login()).status, 429);
});

test('a team-lead can only change the state of a stored incident of its teams, not a forged id that names them', async () => {
  const { app, lead, store } = await setup();
  const post = (id: string) =>
    app.request(`/api/v1/anomalies/${encodeURIComponent(id)}/state`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lead.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'resolved' }),
    });
  // Before: any id with a "team=search" segment was accepted and its state written (and audited).
  for (const forged of ['usage:team=claims:day,team=search', 'inc:team=search:does-not-exist'])
    assert.equal((await post(forged)).status, 404, forged);
  assert.equal((await post('usage:team=claims:day')).status, 403);
  assert.equal((await post('usage:team=search:day')).status, 200);
  assert.deepEqual(
    (await store.listAudit({ limit: 10 })).map((e) => e.target),
    ['usage:team=search:day'],
    'only the real incident has a state change',
  );
});

test('a request that makes a command print help or refuse its options is a 400 problem, not a 500', async () => {
  const help = 'tally keys create: create a virtual key\n\nUsage: tally keys create --team T\n';
  const cases: { code: number; stdout: string; stderr: string }[] = [
    { code: 0, stdout: help, stderr: '' },
    { code: 2, stdout: '', stderr: `error: Unknown option '--name'.\n\n${help}` },
  ];
  for (const out of cases) {
    const { app: one, admin: a } = await setup(undefined, { run: () => Promise.resolve(out) });
    const res = await one.request('/api/v1/keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ help: true }),
    });
    assert.equal(res.status, 400, JSON.stringify(out));
    assert.equal(((await res.json()) as { code: string }).code, 'invalid_input');
  }
});

test('a forecast horizon past a year is refused before anything runs', async () => {
  const { app, lead, ran } = await setup();
  // Before: horizon=100000 ran for seconds and answered 100,000 points to any viewer.
  const res = await app.request('/api/v1/forecast?scope=team=search&horizon=100000', {
    headers: { authorization: `Bearer ${lead.token}` },
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { details: { param: string } }).details.param, 'horizon');
  assert.equal(ran.length, 0);
  const ok = await app.request('/api/v1/forecast?scope=team=search&horizon=366', {
    headers: { authorization: `Bearer ${lead.token}` },
  });
  assert.equal(ok.status, 200);
});

/** Signs in through the login form; the session cookie and its CSRF token (from the store). */
async function signIn(app: ReturnType<typeof createApiApp>, token: string, cookie = '') {
  const anon = await app.request('/api/v1/me', { headers: { cookie } });
  const csrf = /tally_csrf=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')![1]!;
  const res = await app.request('/login', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [cookie, `tally_csrf=${csrf}`].filter(Boolean).join('; '),
    },
    body: new URLSearchParams({ token, _csrf: csrf }).toString(),
  });
  return { res, sid: /tally_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] };
}

test('logging out with the CSRF token revokes the session on the server, so a copied cookie stops working', async () => {
  const { app, lead, store } = await setup();
  const { sid } = await signIn(app, lead.token);
  const cookie = `tally_session=${sid!}`;
  assert.equal((await app.request('/api/v1/me', { headers: { cookie } })).status, 200);
  const session = await store.findSession(hashToken(sid!), new Date());
  const out = await app.request('/logout', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': session!.csrfToken },
  });
  assert.equal(out.status, 303);
  // The browser is told to drop the cookie, and a copy kept elsewhere is refused too.
  assert.equal((await app.request('/api/v1/me', { headers: { cookie } })).status, 401);
});

test('a session id planted before sign-in is never adopted: signing in issues a new one', async () => {
  const { app, lead } = await setup();
  const planted = 'A'.repeat(43);
  const { res, sid } = await signIn(app, lead.token, `tally_session=${planted}`);
  assert.equal(res.status, 303);
  assert.ok(sid && sid !== planted);
  assert.equal(
    (await app.request('/api/v1/me', { headers: { cookie: `tally_session=${planted}` } })).status,
    401,
  );
});

test('X-Forwarded-Proto from a client does not change the cookie flags: only the configuration does', async () => {
  const { app } = await setup();
  const anon = await app.request('/api/v1/me', { headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(anon.headers.get('set-cookie') ?? '', /Secure/i);
  const secure = await setup(undefined, { secureCookies: true });
  const { res } = await signIn(secure.app, secure.lead.token);
  assert.match(res.headers.get('set-cookie') ?? '', /tally_session=[^;]+;.*Secure/i);
});

test('a key id in the path is passed as the id, never as options of the command', async () => {
  const { app, ran, admin } = await setup(() => '{}\n');
  for (const [method, path, words] of [
    ['DELETE', '/api/v1/keys/--config=%2Fetc%2Fpasswd', ['keys', 'revoke']],
    ['POST', '/api/v1/keys/--help/rotate', ['keys', 'rotate']],
  ] as const) {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(res.status, 200, path);
    const id = decodeURIComponent(path.split('/')[4]!);
    assert.deepEqual(ran.at(-1)!.argv, [...words, '--json', '--', id]);
  }
});
