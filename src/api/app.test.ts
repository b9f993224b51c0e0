/** The API without a socket: authentication, CSRF, roles, scopes passed to reports, paging, problems (limits and sessions have their own files). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identityProof } from '../owner/index.js';
import { setup } from './_test-app.js';

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
    404,
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
  // Another team's real incident looks exactly like an unknown id (no oracle for guessed ids).
  assert.equal((await post('usage:team=claims:day')).status, 404);
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
