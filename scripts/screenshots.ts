/**
 * Screenshots of every dashboard page for the README (docs/screenshots/*.png, 1280×800), taken in Debian's
 * Chromium through playwright-core, signed in through the login form like a person would.
 *   node --import tsx scripts/screenshots.ts --base-url http://localhost:8790 --token TOKEN --out docs/screenshots
 * Options: --chromium PATH (default /usr/bin/chromium), --full-page (whole page instead of the first screen).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: o } = parseArgs({
  options: {
    'base-url': { type: 'string', default: 'http://localhost:8790' },
    token: { type: 'string' },
    out: { type: 'string', default: 'docs/screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'full-page': { type: 'boolean', default: false },
  },
});
if (!o.token) {
  console.error('give --token TOKEN (an admin token shows every page, Keys included)');
  process.exit(2);
}

// Page name → path. The team drill-in and a narrowed explorer show what the links lead to.
const PAGES: readonly [string, string][] = [
  ['login', '/login'],
  ['overview', '/'],
  ['explore', '/explore?preset=last-90&granularity=day&by=x_AiDeploymentType&metric=effective&compare=1'],
  ['teams', '/teams'],
  ['team', '/teams/search'],
  ['budgets', '/budgets'],
  ['anomalies', '/anomalies'],
  ['forecast', '/forecast'],
  ['reconcile', '/reconcile'],
  ['unit-economics', '/unit-economics'],
  ['keys', '/keys'],
];

const base = o['base-url']!.replace(/\/$/, '');
mkdirSync(o.out!, { recursive: true });
const browser = await chromium.launch({ executablePath: o.chromium, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: join(o.out!, 'login.png') });
  await page.fill('input[name=token]', o.token);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (new URL(page.url()).pathname === '/login')
    throw new Error(`the token was not accepted at ${base}/login`);
  for (const [name, path] of PAGES) {
    if (name === 'login') continue;
    const started = Date.now();
    const res = await page.goto(`${base}${path}`, { waitUntil: 'load', timeout: 180_000 });
    const file = join(o.out!, `${name}.png`);
    await page.screenshot({ path: file, fullPage: o['full-page'] });
    console.log(`${name}: ${res?.status() ?? '?'} in ${Date.now() - started} ms → ${file}`);
  }
} finally {
  await browser.close();
}
