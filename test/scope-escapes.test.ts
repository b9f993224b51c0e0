/**
 * Scope escapes of a team-scoped caller (team-lead or viewer token) through the reports themselves: what a
 * scoped run prints must be computable from the rows it may see, never reveal the organisation's figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../src/core/index.js';
import { main } from '../src/cli/index.js';
import { openStore } from '../src/store/index.js';
import { parse } from 'yaml';
import { insertUsage, seedStandardOrg, STANDARD_CONFIG } from './_allocation-fixture.js';
import { storeIncident } from './_incident-fixture.js';

async function scopedRun(argv: readonly string[], teams: readonly string[] | null) {
  const store = await openStore({ path: ':memory:' });
  try {
    await seedStandardOrg(store);
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      store,
      config: configSchema.parse(parse(STANDARD_CONFIG)),
      scope: teams ? { teams } : null,
      actor: 'test',
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  } finally {
    await store.close();
  }
}

interface Doc {
  totalCostUsd: number;
  rows: { team: string; totalCostUsd: number; shareOfTotal: number }[];
}

test("a team-lead's chargeback shares are of its own teams' total, so the organisation's total cannot be derived", async () => {
  const argv = ['chargeback', '--period', '2026-01', '--by', 'team', '--json'];
  const org = JSON.parse((await scopedRun(argv, null)).stdout) as Doc;
  const r = await scopedRun(argv, ['search']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(
    doc.rows.map((x) => x.team),
    ['search'],
  );
  const row = doc.rows[0]!;
  assert.ok(org.totalCostUsd > row.totalCostUsd, 'the fixture has other teams');
  // Before: shareOfTotal was the team's share of the whole organisation: total / share = the org's total.
  assert.equal(row.shareOfTotal, 1);
  assert.ok(!r.stdout.includes(String(org.totalCostUsd)), 'the org total appears nowhere');
});

interface IncidentDoc {
  incidents: { id: string; scopes: string[]; rootCause: string; rootCauseOutsideScope: boolean }[];
}

/** `tally anomalies --json` over the stored incident's window, as an admin (null) or a team-scoped caller. */
async function anomaliesAs(
  store: Awaited<ReturnType<typeof openStore>>,
  start: string,
  now: Date,
  teams: readonly string[] | null,
): Promise<IncidentDoc> {
  let stdout = '';
  const code = await main(
    ['anomalies', '--json', '--from', start.slice(0, 10), '--to', now.toISOString().slice(0, 10)],
    {
      store,
      config: configSchema.parse({}),
      scope: teams ? { teams } : null,
      actor: 'test',
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => true },
    },
  );
  assert.equal(code, 0);
  return JSON.parse(stdout) as IncidentDoc;
}

/**
 * The standard organisation plus February 2026 gateway usage after the export's last day (2026-02-01), so
 * February's ledger fill is $777.77 of claims' usage and $1.25 of search's; `run` calls the CLI on that store.
 */
async function withFilledOrg(
  fn: (run: (argv: readonly string[], teams: readonly string[] | null) => Promise<string>) => Promise<void>,
): Promise<void> {
  const store = await openStore({ path: ':memory:' });
  try {
    await seedStandardOrg(store);
    const usage = { deployment: 'gpt4o-std', model: 'gpt-4o-2024-08-06', input: 1000, output: 100 };
    await insertUsage(store, [
      { ...usage, team: 'claims', app: 'claims-extractor', at: '2026-02-10T10:00:00Z', costUsd: '777.77' },
      { ...usage, team: 'search', app: 'search-app', at: '2026-02-10T11:00:00Z', costUsd: '1.25' },
    ]);
    await fn(async (argv, teams) => {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, {
        store,
        config: configSchema.parse(parse(STANDARD_CONFIG)),
        scope: teams ? { teams } : null,
        actor: 'test',
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
      });
      assert.equal(code, 0, `${argv.join(' ')}: ${stderr}`);
      return stdout;
    });
  } finally {
    await store.close();
  }
}

test("a team-lead's chargeback carries no organisation-wide figure, such as another team's ledger fill", async () => {
  await withFilledOrg(async (run) => {
    const argv = ['chargeback', '--period', '2026-02', '--by', 'team', '--json'];
    const org = JSON.parse(await run(argv, null)) as Doc & { ledgerFilledCostUsd: number };
    assert.equal(org.ledgerFilledCostUsd, 779.02, 'the organisation fills claims and search');
    const text = await run(argv, ['search']);
    const doc = JSON.parse(text) as Doc & { ledgerFilledCostUsd: number };
    assert.deepEqual(
      doc.rows.map((r) => r.team),
      ['search'],
    );
    // Before: the search lead read 777.77 of claims' usage (as 779.02) in ledgerFilledCostUsd.
    assert.equal(doc.ledgerFilledCostUsd, 1.25);
    assert.ok(doc.ledgerFilledCostUsd <= doc.totalCostUsd, 'the fill is part of what its rows add up to');
    for (const figure of [777.77, org.ledgerFilledCostUsd, org.totalCostUsd])
      assert.ok(!text.includes(String(figure)), `${figure} (the organisation's) appears nowhere`);
    // An admin narrowing to a team with --team gets that team's fill too.
    const narrowed = JSON.parse(await run([...argv, '--team', 'claims'], null)) as {
      ledgerFilledCostUsd: number;
    };
    assert.equal(narrowed.ledgerFilledCostUsd, 777.77);
  });
});

test("a team-lead's forecast and budget status fill only its own team's ledger usage", async () => {
  await withFilledOrg(async (run) => {
    const forecast = await run(
      ['forecast', '--json', '--scope', 'team=search', '--to', '2026-02-15', '--horizon', '7'],
      ['search'],
    );
    assert.equal((JSON.parse(forecast) as { ledgerFilledUsd: number }).ledgerFilledUsd, 1.25);
    assert.ok(!forecast.includes('777.77') && !forecast.includes('779.02'), 'no fill of claims');
    await run(['budgets', 'set', '--scope', 'team', '--value', 'search', '--amount', '100'], null);
    await run(['budgets', 'set', '--scope', 'all', '--amount', '5000'], null);
    const status = await run(['budgets', 'status', '--json', '--at', '2026-02-15T00:00:00Z'], ['search']);
    const rows = JSON.parse(status) as { scope: string; ledgerFilledUsd: number; spentUsd: number }[];
    assert.deepEqual(
      rows.map((r) => r.scope),
      ['team=search'],
    );
    assert.equal(rows[0]!.ledgerFilledUsd, 1.25);
    assert.ok(!status.includes('777.77') && !status.includes('779.02'), 'no fill of claims');
  });
});

test("a team-lead sees an incident its team shares with another team without the other team's name", async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const now = new Date();
    const incident = await storeIncident(store, now, {
      id: 'inc_0123456789abcdef01234567',
      // A shared deployment spiked for two teams at once.
      scopes: ['team=search', 'team=claims', 'app=claims-extractor', 'deployment=shared-4o'],
      rootCause: 'team=search, deployment=shared-4o',
    });
    const run = (teams: readonly string[] | null) => anomaliesAs(store, incident.start, now, teams);
    assert.ok((await run(null)).incidents[0]!.scopes.includes('team=claims'), 'an admin sees every scope');
    const scoped = await run(['search']);
    assert.equal(scoped.incidents.length, 1);
    const text = JSON.stringify(scoped);
    // Before: the search lead read "team=claims" and "app=claims-extractor" in the incident's scopes.
    assert.doesNotMatch(text, /claims/);
    assert.ok(scoped.incidents[0]!.scopes.includes('team=search'));
    // Its own root cause is shown as it is.
    assert.equal(scoped.incidents[0]!.rootCause, 'team=search, deployment=shared-4o');
    assert.equal(scoped.incidents[0]!.rootCauseOutsideScope, false);
    assert.equal((await run(['marketing'])).incidents.length, 0);
  } finally {
    await store.close();
  }
});

test('a team-lead is never told its team caused an incident rooted in another team', async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const now = new Date();
    const incident = await storeIncident(store, now, {
      id: 'inc_89abcdef0123456789abcdef',
      scopes: ['team=search', 'team=claims', 'app=claims-extractor', 'deployment=shared-4o'],
      rootCause: 'team=claims, app=claims-extractor, deployment=shared-4o',
    });
    const admin = (await anomaliesAs(store, incident.start, now, null)).incidents[0]!;
    assert.equal(admin.rootCause, 'team=claims, app=claims-extractor, deployment=shared-4o');
    assert.equal(admin.rootCauseOutsideScope, false);
    const scoped = await anomaliesAs(store, incident.start, now, ['search']);
    assert.equal(scoped.incidents.length, 1);
    const mine = scoped.incidents[0]!;
    // Before: "team=search, deployment=shared-4o", the lead was told its own team caused it.
    assert.doesNotMatch(mine.rootCause, /team=search/);
    assert.doesNotMatch(JSON.stringify(scoped), /claims/);
    // What it may see (the shared deployment) stays, and it is told the rest is outside its scope.
    assert.match(mine.rootCause, /deployment=shared-4o/);
    assert.match(mine.rootCause, /outside your teams/);
    assert.equal(mine.rootCauseOutsideScope, true);
    assert.ok(mine.scopes.includes('team=search'), 'the incident still lists where the lead was affected');
  } finally {
    await store.close();
  }
});

test('a root cause on shared infrastructure alone gains no team for a scoped caller', async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const now = new Date();
    const incident = await storeIncident(store, now, {
      id: 'inc_fedcba9876543210fedcba98',
      scopes: ['team=search', 'team=claims', 'deployment=shared-4o'],
      rootCause: 'deployment=shared-4o',
    });
    const scoped = (await anomaliesAs(store, incident.start, now, ['search'])).incidents[0]!;
    // Before: "team=search, deployment=shared-4o".
    assert.equal(scoped.rootCause, 'deployment=shared-4o');
    assert.equal(scoped.rootCauseOutsideScope, false);
  } finally {
    await store.close();
  }
});

test('a team-lead cannot widen a report past its teams: the organisation forecast, another team, usage not by team', async () => {
  const refused = async (argv: readonly string[]) => {
    const r = await scopedRun(argv, ['search']);
    assert.notEqual(r.code, 0, argv.join(' '));
    assert.match(r.stdout + r.stderr, /forbidden|team-scoped/, argv.join(' '));
    assert.doesNotMatch(r.stdout, /support/, 'nothing of the other team is printed');
  };
  await refused(['forecast', '--json', '--scope', 'all']);
  await refused(['forecast', '--json', '--scope', 'team=support']);
  await refused(['forecast', '--json', '--scope', 'app=search-app']);
  await refused(['usage', '--json', '--from', '2026-01-01', '--to', '2026-02-01', '--by', 'app']);
  await refused(['usage', '--json', '--from', '2026-01-01', '--to', '2026-02-01', '--by', 'model']);
  // The same reports by team show its own rows only.
  const mine = await scopedRun(
    ['usage', '--json', '--from', '2026-01-01', '--to', '2026-02-01', '--by', 'team,app'],
    ['search'],
  );
  assert.equal(mine.code, 0, mine.stderr);
  assert.deepEqual(
    [...new Set((JSON.parse(mine.stdout) as { team: string }[]).map((r) => r.team))],
    ['search'],
  );
});
