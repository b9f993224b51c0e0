/** Browser sessions: logout revokes on the server, planted ids are never adopted, cookie flags from config only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { createApiApp } from './app.js';
import { hashToken } from './_users.js';
import { setup } from './_test-app.js';

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
