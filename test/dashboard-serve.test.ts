/**
 * The dashboard against the real `tally serve` on the seeded demo, in Debian's Chromium, signed in as each
 * role: the numbers on screen are the API's and the CLI's, a team lead sees only its teams (and the API
 * refuses the others), a triage click persists in the store, and the CSV download equals the table.
 * Skipped when Chromium is not installed (CI installs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, startServeCli, type CliServer } from './cli.js';
import { assertExploreCsvEqualsTable, signIn } from '../src/web/_test-browser.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

type Role = 'admin' | 'finance' | 'lead' | 'viewer';
const tokens = {} as Record<Role, string>;
let dir = '';
let financeId = '';
let db = '';
let srv: CliServer;
let browser: Browser;

async function cli(...args: string[]) {
  const r = await runCli([...args, '--db', db]);
  if (r.code !== 0) throw new Error(`tally ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Exact decimal text of a JSON amount, in nanos (amounts are numbers or decimal strings). */
function nanos(v: unknown): bigint {
  const s = typeof v === 'number' ? v.toFixed(9) : String(v);
  const [int, frac = ''] = s.replace(/^-/, '').split('.');
  const n = BigInt(int!) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  return s.startsWith('-') ? -n : n;
}

const sumNanos = (rows: Record<string, unknown>[], key: string) =>
  rows.reduce((a, r) => a + nanos(r[key]), 0n);

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tally-dash-'));
  db = join(dir, 't.duckdb');
  await cli('demo', '--days', '40', '--end', '2026-12-01', '--skip-analyses', '--json');
  srv = await startServeCli(db);
  const create = async (role: string, name: string, ...more: string[]) =>
    (await cli('users', 'create', '--name', name, '--role', role, ...more, '--json')).json<{
      id: string;
      token: string;
    }>();
  tokens.admin = (await create('admin', 'Ada')).token;
  const fin = await create('finance', 'Fin');
  [tokens.finance, financeId] = [fin.token, fin.id];
  tokens.lead = (await create('team-lead', 'Lea', '--team', 'search')).token;
  tokens.viewer = (await create('viewer', 'Vic', '--team', 'engineering')).token;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(role: Role, path: string): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  return signIn(await context.newPage(), srv.url, path, tokens[role]);
}

async function api<T>(role: Role, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${srv.url}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  return { status: r.status, body: (await r.json()) as T };
}

/** The exact amount a KPI card shows (its <data value>). */
async function kpiValue(page: Page, label: string): Promise<bigint> {
  const v = await page.$$eval(
    'section.kpi',
    (cards, want) =>
      cards
        .find((c) => c.querySelector('h2')?.textContent?.trim() === want)
        ?.querySelector('p.value data')
        ?.getAttribute('value') ?? null,
    label,
  );
  assert.ok(v !== null, `a KPI card "${label}" with an amount`);
  return nanos(v);
}

test(
  'the overview shows last month to the nano as the API and the CLI report it, for each role',
  { skip },
  async () => {
    const nov = '/api/v1/costs?from=2026-11-01&to=2026-12-01&by=BillingCurrency';
    const cliRows = (
      await cli('costs', '--from', '2026-11-01', '--to', '2026-12-01', '--by', 'BillingCurrency', '--json')
    ).json<Record<string, unknown>[]>();
    const org = sumNanos(cliRows, 'effectiveCost');
    assert.ok(org > 0n, 'the demo bills November');
    for (const role of ['admin', 'finance', 'viewer', 'lead'] as const) {
      const page = await signedIn(role, '/');
      const shown = await kpiValue(page, 'November 2026');
      const viaApi = await api<Record<string, unknown>[]>(role, nov);
      assert.equal(viaApi.status, 200);
      assert.equal(shown, sumNanos(viaApi.body, 'effectiveCost'), `${role}: screen equals API`);
      if (role === 'lead' || role === 'viewer') assert.ok(shown < org, `${role}: only its team-tagged cost`);
      else assert.equal(shown, org, `${role}: screen equals the CLI`);
      await page.context().close();
    }
  },
);

test(
  'a team lead sees only its own team in chargeback, and the API refuses another team',
  { skip },
  async () => {
    const page = await signedIn('lead', '/teams?period=2026-11');
    const teams = await page.$$eval('main tbody tr th, main tbody tr td:first-child', (cells) =>
      cells.map((c) => c.textContent!.trim()).filter((t) => t !== ''),
    );
    assert.ok(teams.length > 0);
    assert.ok(
      teams.every((t) => t.startsWith('search') || t.toLowerCase().startsWith('total')),
      `only search: ${teams.join(', ')}`,
    );
    const other = await api('lead', '/api/v1/chargeback?period=2026-11&by=team&team=engineering');
    assert.equal(other.status, 403);
    const otherPage = await page.goto(`${srv.url}/teams/engineering?period=2026-11`);
    assert.equal(otherPage?.status(), 403);
    await page.context().close();
  },
);

test('acknowledging an anomaly in the browser is stored with who did it', { skip }, async () => {
  const page = await signedIn('finance', '/anomalies?from=2026-10-22&to=2026-12-02');
  const form = page.locator('form[action="/anomalies/state"]:has(button:has-text("Acknowledge"))').first();
  const id = await form.locator('input[name=id]').getAttribute('value');
  assert.ok(id, 'an anomaly to acknowledge');
  await Promise.all([page.waitForURL(/done=1/), form.locator('button').click()]);
  const doc = await api<Record<string, unknown>>('admin', '/api/v1/anomalies?from=2026-10-22&to=2026-12-02');
  const items = (doc.body['incidents'] ?? doc.body['anomalies']) as Record<string, unknown>[];
  const mine = items.find((a) => a['id'] === id);
  assert.ok(mine, 'the API reports the same incident');
  assert.equal(mine['state'], 'acknowledged');
  assert.match(String(mine['stateBy']), new RegExp(financeId));
  await page.context().close();
});

test('the CSV downloaded from explore has the rows and values of the table on screen', { skip }, async () => {
  const page = await signedIn('finance', '/explore?from=2026-11-01&to=2026-11-08&granularity=day');
  assert.ok((await assertExploreCsvEqualsTable(page)) > 0, 'the table has rows');
  await page.context().close();
});
