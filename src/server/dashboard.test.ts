import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../core/index.js';
import { openStore } from '../store/index.js';
import { createApiApp, createUser, hashToken } from '../api/index.js';
import { mountDashboard } from './_dashboard.js';

test("the dashboard's key revoke form passes the id as the id, never as options of the command", async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const ran: (readonly string[])[] = [];
    const run = (argv: readonly string[]) => {
      ran.push(argv);
      return Promise.resolve({ code: 0, stdout: '{}\n', stderr: '' });
    };
    const now = () => new Date();
    const incidentTeams = () => Promise.resolve(null);
    const app = createApiApp(
      {
        store,
        config: configSchema.parse({}),
        storePath: ':memory:',
        secret: 'owner-secret-0123456789',
        secureCookies: false,
        sessionHours: 1,
        now,
        run,
        incidentTeams,
      },
      (a, c) => mountDashboard(a, { run, store, now, incidentTeams }, c),
    );
    const admin = await createUser(store, { name: 'ada', role: 'admin', teams: [] });
    const anon = await app.request('/login');
    const csrf = /tally_csrf=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')![1]!;
    const login = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tally_csrf=${csrf}` },
      body: new URLSearchParams({ token: admin.token, _csrf: csrf }).toString(),
    });
    const sid = /tally_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    const session = await store.findSession(hashToken(sid), now());
    const res = await app.request('/keys/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tally_session=${sid}` },
      body: new URLSearchParams({ id: '--config=/etc/passwd', _csrf: session!.csrfToken }).toString(),
    });
    assert.equal(res.status, 303);
    assert.deepEqual(ran.at(-1), ['keys', 'revoke', '--json', '--', '--config=/etc/passwd']);
  } finally {
    await store.close();
  }
});
