// The dashboard in a real browser (Debian's Chromium through playwright-core): sign-in through the form,
// keyboard access, a strict CSP with no violations, a triage click that persists, and a CSV download that
// equals the table. The pages run on a fake WebDeps here; the seeded-demo run against `tally serve` is the
// server's end-to-end test. Skipped when Chromium is not installed.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { chromium, type Browser } from 'playwright-core';
import { createWebApp } from './_app.js';
import { fakeDeps, sampleDocs, USERS } from './_test-fakes.js';
import { assertExploreCsvEqualsTable, assertUnitFeaturesEqualDoc } from './_test-browser.js';
import type { AnomaliesDoc } from './_docs.js';
import type { WebVariables } from './_types.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

let server: ServerType;
let base = '';
let browser: Browser;

before(async () => {
  if (skip) return;
  // A stateful fake: an anomaly-state action changes what the anomalies report returns next.
  const docs = sampleDocs();
  const anomalies = docs.anomalies as AnomaliesDoc;
  const deps = fakeDeps(docs);
  const action = deps.action.bind(deps);
  deps.action = async (name, params, user) => {
    const a = anomalies.incidents.find((x) => x.id === params['id']);
    if (name === 'anomaly-state' && a) Object.assign(a, { state: params['state'], stateBy: user.name });
    return action(name, params, user);
  };
  // A stand-in for the server's session middleware: the token names a test user.
  const app = new Hono<{ Variables: WebVariables }>();
  app.use(async (c, next) => {
    const who = getCookie(c, 'who') as keyof typeof USERS | undefined;
    c.set('user', who && who in USERS ? USERS[who] : null);
    c.set('csrfToken', 'tok-123');
    await next();
  });
  app.post('/login', async (c) => {
    const f = await c.req.parseBody();
    setCookie(c, 'who', String(f['token']), { path: '/' });
    return c.redirect(String(f['next'] ?? '/'), 303);
  });
  app.route('/', createWebApp(deps));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser.close();
  await new Promise((r) => server.close(r));
});

async function signedIn(token: keyof typeof USERS, path: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`${base}${path}`);
  assert.match(page.url(), /\/login\?next=/);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(`${base}${path}`), page.press('input[name=token]', 'Enter')]);
  return { page, context, violations };
}

test(
  'signing in through the form lands on the page asked for, with no CSP violations',
  { skip },
  async () => {
    const { page, context, violations } = await signedIn('admin', '/');
    assert.match((await page.textContent('main')) ?? '', /Spend this month so far\s*\$645\.668918942/);
    assert.deepEqual(violations, []);
    await context.close();
  },
);

test('the first Tab reaches the skip link, which moves focus to the content', { skip }, async () => {
  const { page, context } = await signedIn('viewer', '/budgets');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate('document.activeElement?.id'), 'main');
  await context.close();
});

test('a team lead acknowledges an anomaly and it stays acknowledged after a reload', { skip }, async () => {
  const { page, context } = await signedIn('lead', '/anomalies');
  assert.equal(await page.locator('a[href="/keys"]').count(), 0, 'no Keys link for a team lead');
  await Promise.all([page.waitForURL(/done=1/), page.click('button:has-text("Acknowledge")')]);
  await page.reload();
  assert.match((await page.textContent('tbody')) ?? '', /acknowledged\s*Lea/);
  await context.close();
});

test('the downloaded CSV has the rows and values of the table on screen', { skip }, async () => {
  const { page, context } = await signedIn(
    'finance',
    '/explore?from=2026-11-20&to=2026-11-23&granularity=day',
  );
  await assertExploreCsvEqualsTable(page);
  await context.close();
});

test(
  'a team lead opening unit economics sees the by-feature view with the report’s own figures',
  { skip },
  async () => {
    const { page, context, violations } = await signedIn('lead', '/unit-economics?period=2026-11');
    const doc = (sampleDocs()['unit-economics'] as (p: Record<string, string>) => unknown)({ by: 'feature' });
    await assertUnitFeaturesEqualDoc(page, doc as Parameters<typeof assertUnitFeaturesEqualDoc>[1]);
    assert.deepEqual(violations, []);
    await context.close();
  },
);
