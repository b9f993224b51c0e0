/**
 * Unit economics by feature against the real `tally serve`, in Debian's Chromium: the page's figures are the
 * API's and the CLI's (`--by feature --json`), a team lead sees only its team's features (and the API refuses it
 * the org-wide views), and `?by=group` over the API is the CLI's `--by group --json`. Skipped without Chromium.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, startServeCli, type CliServer } from './cli.js';
import { insertUsage, withStore, type FixtureUsage } from './_allocation-fixture.js';
import { assertUnitFeaturesEqualDoc, signIn } from '../src/web/_test-browser.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

let dir = '';
let db = '';
let cfg = '';
let srv: CliServer;
let browser: Browser;
const tokens = { admin: '', lead: '' };

const event = (team: string, app: string, at: string, costUsd: string, feature?: string): FixtureUsage => ({
  team,
  app,
  deployment: 'gpt4o-std',
  model: 'gpt-4o-2024-08-06',
  at,
  input: 1000,
  output: 100,
  costUsd,
  ...(feature ? { tags: { feature } } : {}),
});

async function cli(...args: string[]) {
  const r = await runCli([...args, '--db', db, '--config', cfg]);
  if (r.code !== 0) throw new Error(`tally ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tally-ue-dash-'));
  db = join(dir, 't.duckdb');
  cfg = join(dir, 'tally.yaml');
  writeFileSync(cfg, 'unitEconomics:\n  groups:\n    customer: { apps: [rag, chat] }\n');
  await withStore(db, (s) =>
    insertUsage(s, [
      event('search', 'rag', '2026-10-03T10:00:00Z', '0.5', 'summary'),
      event('search', 'rag', '2026-11-03T10:00:00Z', '0.123456789', 'summary'),
      event('search', 'rag', '2026-11-04T10:00:00Z', '0.2', 'summary'),
      event('search', 'rag', '2026-11-05T10:00:00Z', '0.3', 'search'),
      event('search', 'rag', '2026-11-06T10:00:00Z', '0.07'),
      event('support', 'chat', '2026-11-07T10:00:00Z', '1.5', 'summary'),
      event('support', 'chat', '2026-11-08T10:00:00Z', '2.25', 'triage'),
      event('research', 'lab', '2026-11-09T10:00:00Z', '0.9', 'triage'),
    ]),
  );
  srv = await startServeCli(db, '--config', cfg);
  const create = async (role: string, name: string, ...more: string[]) =>
    (await cli('users', 'create', '--name', name, '--role', role, ...more, '--json')).json<{
      token: string;
    }>().token;
  tokens.admin = await create('admin', 'Ada');
  tokens.lead = await create('team-lead', 'Lea', '--team', 'search');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(role: keyof typeof tokens, path: string): Promise<Page> {
  return signIn(await (await browser.newContext()).newPage(), srv.url, path, tokens[role]);
}

async function api<T>(role: keyof typeof tokens, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${srv.url}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  return { status: r.status, body: (await r.json()) as T };
}

type TagDoc = Parameters<typeof assertUnitFeaturesEqualDoc>[1] & { teams?: string[] };

test(
  'the by-feature page shows the API’s and the CLI’s figures: cost to the nano, requests, cost per request',
  { skip },
  async () => {
    const viaCli = (
      await cli('unit-economics', '--period', '2026-11', '--by', 'feature', '--json')
    ).json<TagDoc>();
    const viaApi = await api<TagDoc>('admin', '/api/v1/unit-economics?period=2026-11&by=feature');
    assert.equal(viaApi.status, 200);
    assert.deepEqual(viaApi.body, viaCli);
    assert.deepEqual(
      viaCli.rows.map((r) => r['feature']),
      ['triage', 'summary', 'search', '(untagged)'],
    );
    const page = await signedIn('admin', '/unit-economics?period=2026-11&by=feature');
    await assertUnitFeaturesEqualDoc(page, viaCli);
    await page.context().close();
  },
);

test(
  'a team lead sees only its team’s features, summed from its team’s ledger, and the API refuses it per app',
  { skip },
  async () => {
    const viaApi = await api<TagDoc>('lead', '/api/v1/unit-economics?period=2026-11&by=feature');
    assert.equal(viaApi.status, 200);
    assert.deepEqual(viaApi.body.teams, ['search']);
    // What the lead should see, from the ledger itself: search's November usage by feature.
    const usage = (
      await cli('usage', '--from', '2026-11-01', '--to', '2026-12-01', '--by', 'team,tag:feature', '--json')
    ).json<{ team: string; 'tag:feature': string | null; requests: number; costUsd: number }[]>();
    const mine = usage.filter((u) => u.team === 'search');
    assert.deepEqual(
      viaApi.body.rows.map((r) => [r['feature'], r.requests, r.costUsd]).sort(),
      mine.map((u) => [u['tag:feature'] ?? '(untagged)', u.requests, u.costUsd]).sort(),
    );
    const page = await signedIn('lead', '/unit-economics?period=2026-11');
    await assertUnitFeaturesEqualDoc(page, viaApi.body);
    for (const by of ['app', 'team', 'group']) {
      const refused = await api('lead', `/api/v1/unit-economics?period=2026-11&by=${by}`);
      assert.equal(refused.status, 403, by);
    }
    await page.context().close();
  },
);

test('?by=group over the API is the CLI’s --by group --json document', { skip }, async () => {
  const viaCli = (await cli('unit-economics', '--period', '2026-11', '--by', 'group', '--json')).json<{
    rows: { group: string; apps: string[]; requests: number }[];
  }>();
  const viaApi = await api<typeof viaCli>('admin', '/api/v1/unit-economics?period=2026-11&by=group');
  assert.equal(viaApi.status, 200);
  assert.deepEqual(viaApi.body, viaCli);
  const customer = viaCli.rows.find((r) => r.group === 'customer')!;
  assert.deepEqual(customer.apps, ['rag', 'chat']);
  assert.equal(customer.requests, 6);
});
