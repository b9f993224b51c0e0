import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, trusted } from './_html.js';
import { EVIL, EVIL_ATTR, fakeDeps, testApp, USERS } from './_test-fakes.js';

test('interpolated text is escaped; only trusted fragments pass through', () => {
  assert.equal(html`<td>${EVIL}</td>`.text, '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
  assert.equal(
    html`<a title="${EVIL_ATTR}"></a>`.text,
    '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"></a>',
  );
  assert.equal(html`${[html`<b></b>`, 'x&y']}${null}${false}`.text, '<b></b>x&amp;y');
  assert.equal(html`${trusted('<br>')}`.text, '<br>');
});

test('team names, model names and root-cause values from the data never become markup', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  for (const path of [
    '/',
    '/teams?period=2026-11',
    '/anomalies',
    '/explore?from=2026-11-20&to=2026-11-23&granularity=day',
  ]) {
    const text = (await app.get(path)).text;
    assert.doesNotMatch(text, /<script>alert/, path);
    assert.doesNotMatch(text, /<img src=x/, path);
  }
});

test('a path segment with markup is escaped on the team page and in the not-found page', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  const team = await app.get(`/teams/${encodeURIComponent(EVIL)}?period=2026-11`);
  assert.equal(team.status, 200);
  assert.doesNotMatch(team.text, /<script>alert/);
  const missing = await app.get('/nope%3Cscript%3E');
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.text, /<script>/);
});
