import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeDeps, testApp, USERS } from './_test-fakes.js';

const PAGES = [
  '/',
  '/explore',
  '/teams',
  '/teams/search',
  '/budgets',
  '/anomalies',
  '/forecast',
  '/reconcile',
  '/unit-economics',
  '/keys',
];

test('every page sends a visitor who is not signed in to /login, remembering the page', async () => {
  const deps = fakeDeps();
  const app = testApp(deps, null);
  for (const path of PAGES) {
    const res = await app.get(`${path}?period=2026-11`);
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(`${path}?period=2026-11`)}`);
  }
  assert.equal(deps.calls.length, 0, 'no report is read for nobody');
});

test('a form post without a session goes to /login and writes nothing', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, null).post('/anomalies/state', { id: 'x', state: 'resolved' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
  assert.equal(deps.calls.length, 0);
});

test('the login page has a token field, the CSRF token and a local next path only', async () => {
  const app = testApp(fakeDeps(), null);
  const res = await app.get('/login?next=%2Fteams');
  assert.equal(res.status, 200);
  assert.match(res.text, /<form class="stack" method="post" action="\/login">/);
  assert.match(res.text, /name="_csrf" value="tok-123"/);
  assert.match(res.text, /type="password" name="token"/);
  assert.match(res.text, /name="next" value="\/teams"/);
  const evil = await app.get('/login?next=%2F%2Fevil.example');
  assert.match(evil.text, /name="next" value="\/"/);
});

test('a signed-in visitor to /login goes straight to the page they wanted', async () => {
  const res = await testApp(fakeDeps(), USERS.viewer).get('/login?next=%2Fbudgets');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/budgets');
});

test('only admins see the Keys link; others get a 403 page without the keys report being read', async () => {
  const admin = await testApp(fakeDeps(), USERS.admin).get('/');
  assert.match(admin.text, /href="\/keys"/);
  for (const user of [USERS.finance, USERS.lead, USERS.viewer]) {
    const deps = fakeDeps();
    const app = testApp(deps, user);
    assert.doesNotMatch((await app.get('/')).text, /href="\/keys"/, user.role);
    const keys = await app.get('/keys');
    assert.equal(keys.status, 403, user.role);
    assert.match(keys.text, /Only admins/);
    assert.equal(deps.calls.filter((c) => c.name === 'keys').length, 0);
    assert.equal((await app.post('/keys/revoke', { id: 'vk-1' })).status, 403);
    assert.equal(deps.calls.filter((c) => c.kind === 'action').length, 0);
  }
});

test('admins and finance get the budget form; team leads and viewers do not', async () => {
  for (const [user, editable] of [
    [USERS.admin, true],
    [USERS.finance, true],
    [USERS.lead, false],
    [USERS.viewer, false],
  ] as const) {
    const text = (await testApp(fakeDeps(), user).get('/budgets')).text;
    assert.equal(/action="\/budgets"/.test(text), editable, user.role);
    assert.equal(/action="\/budgets\/delete"/.test(text), editable, user.role);
  }
});

test('admins, finance and team leads can acknowledge anomalies; viewers only read them', async () => {
  for (const [user, triage] of [
    [USERS.admin, true],
    [USERS.finance, true],
    [USERS.lead, true],
    [USERS.viewer, false],
  ] as const) {
    const text = (await testApp(fakeDeps(), user).get('/anomalies')).text;
    assert.equal(/action="\/anomalies\/state"/.test(text), triage, user.role);
  }
});

test('every form on every page carries the session CSRF token', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  for (const path of PAGES) {
    const text = (await app.get(path)).text;
    const posts = text.match(/<form[^>]*method="post"[^>]*>[\s\S]*?<\/form>/g) ?? [];
    for (const f of posts) assert.match(f, /name="_csrf" value="tok-123"/, `${path}: ${f.slice(0, 80)}`);
  }
});

test("a team page outside the user's teams is a 403 page that says which teams the user can see", async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.lead).get('/teams/platform?period=2026-11');
  assert.equal(res.status, 403);
  assert.match(res.text, /not team &quot;platform&quot;/);
});

test('a team with no chargeback in the period is a 404 page with its message', async () => {
  const res = await testApp(fakeDeps(), USERS.admin).get('/teams/nobody?period=2026-11');
  assert.equal(res.status, 404);
  assert.match(res.text, /No chargeback for team &quot;nobody&quot;/);
});

test('org-wide pages are for admins and finance; team-scoped users get unit economics by feature only', async () => {
  for (const user of [USERS.lead, USERS.viewer]) {
    const deps = fakeDeps();
    const app = testApp(deps, user);
    const home = await app.get('/');
    assert.doesNotMatch(home.text, /href="\/reconcile"/, user.role);
    assert.match(home.text, /href="\/unit-economics"/, user.role);
    assert.doesNotMatch(home.text, /Data freshness/);
    assert.equal((await app.get('/reconcile')).status, 403);
    for (const by of ['app', 'team', 'group'])
      assert.equal((await app.get(`/unit-economics?by=${by}`)).status, 403, by);
    const org = deps.calls.filter((c) => ['reconcile', 'freshness'].includes(c.name));
    assert.deepEqual(org, []);
    assert.deepEqual(
      deps.calls.filter((c) => c.name === 'unit-economics'),
      [],
      'no unit-economics report is read for a refused view',
    );
    const features = await app.get('/unit-economics?period=2026-11');
    assert.equal(features.status, 200);
    assert.match(features.text, /Unit economics by feature/);
    assert.match(features.text, /Traffic of search only/);
    assert.deepEqual(
      deps.calls.filter((c) => c.name === 'unit-economics').map((c) => c.params),
      [{ period: '2026-11', by: 'feature' }],
    );
  }
  const finance = await testApp(fakeDeps(), USERS.finance).get('/');
  assert.match(finance.text, /href="\/reconcile"/);
  assert.match(finance.text, /Data freshness/);
});

test('a rejected token shows a message on the login page', async () => {
  const res = await testApp(fakeDeps(), null).get('/login?error=1&next=%2F');
  assert.equal(res.status, 401);
  assert.match(res.text, /That token was not accepted/);
});

test('a team-scoped user’s forecast is for their first team, the only scope the API forecasts for them', async () => {
  const deps = fakeDeps();
  const app = testApp(deps, USERS.lead);
  await app.get('/');
  await app.get('/forecast');
  const asked = deps.calls
    .filter((c) => c.name === 'forecast' || c.name === 'usage')
    .map((c) => `${c.name} ${c.params['scope'] ?? c.params['by']}`);
  assert.deepEqual(asked, [
    'forecast team=search',
    'usage team,day',
    'forecast team=search',
    'usage team,day',
  ]);
});
