/**
 * `tally serve` end to end: one process owns the store; the CLI keeps working through it (reports, ingest,
 * users) with the same output; the API answers the same documents with roles and team scopes enforced; the
 * CLI never sends its secret to a process that cannot prove it owns the store; SIGTERM drains and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli, startServeCli } from './cli.js';
import { inTempDir } from './_allocation-fixture.js';
import { LINES, focusCsv } from './ingest-fixtures.js';

interface ChargebackDoc {
  period: string;
  by: string;
  totalCostUsd: number;
  rows: { team: string; totalCostUsd: number }[];
}

async function cli(db: string, ...args: string[]) {
  const r = await runCli([...args, '--db', db]);
  if (r.code !== 0) throw new Error(`tally ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

test('tally serve owns the store while the CLI and the API report the same numbers within each role', async () => {
  await inTempDir('tally-serve-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await cli(db, 'demo', '--days', '40', '--end', '2026-12-01', '--skip-analyses', '--json');
    const srv = await startServeCli(db);
    try {
      const admin = (await cli(db, 'users', 'create', '--name', 'ada', '--role', 'admin', '--json')).json<{
        token: string;
      }>();
      const lead = (
        await cli(db, 'users', 'create', '--name', 'lee', '--role', 'team-lead', '--team', 'search', '--json')
      ).json<{ id: string; token: string }>();
      const get = (path: string, token?: string) =>
        fetch(`${srv.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

      // The CLI runs through the server (the store is locked by it) and prints what the API returns.
      const viaCli = (
        await cli(db, 'chargeback', '--period', '2026-11', '--by', 'team', '--json')
      ).json<ChargebackDoc>();
      const viaApi = (await (
        await get('/api/v1/chargeback?period=2026-11&by=team', admin.token)
      ).json()) as ChargebackDoc;
      assert.deepEqual(viaApi, viaCli);
      assert.ok(viaCli.rows.length > 1, 'the demo bills several teams');

      const costsCli = (
        await cli(db, 'costs', '--from', '2026-11-01', '--to', '2026-12-01', '--by', 'x_AiModel', '--json')
      ).json<unknown>();
      const costsApi = await (
        await get('/api/v1/costs?from=2026-11-01&to=2026-12-01&by=x_AiModel', admin.token)
      ).json();
      assert.deepEqual(costsApi, costsCli);

      // No token: 401 in the problem shape.
      const anon = await get('/api/v1/chargeback?period=2026-11&by=team');
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await anon.json()) as { code: string }).code, 'unauthorized');

      // A team-lead gets exactly its team's row, and never another team's.
      const mine = (await (
        await get('/api/v1/chargeback?period=2026-11&by=team', lead.token)
      ).json()) as ChargebackDoc;
      assert.deepEqual(
        mine.rows.map((r) => r.team),
        ['search'],
      );
      const search = viaCli.rows.find((r) => r.team === 'search')!;
      assert.equal(mine.rows[0]!.totalCostUsd, search.totalCostUsd);
      assert.equal(mine.totalCostUsd, search.totalCostUsd);
      const other = await get('/api/v1/chargeback?period=2026-11&by=team&team=engineering', lead.token);
      assert.equal(other.status, 403);
      assert.equal((await get('/api/v1/chargeback?period=2026-11&by=app', lead.token)).status, 403);
      assert.equal((await get('/api/v1/keys', lead.token)).status, 403);
      assert.equal((await get('/api/v1/reconcile?period=2026-11', lead.token)).status, 403);
      const scopedCosts = (await (
        await get('/api/v1/costs?from=2026-11-01&to=2026-12-01&by=x_AiModel', lead.token)
      ).json()) as { billedCost: string }[];
      const allBilled = (costsCli as { billedCost: string }[]).reduce((a, r) => a + Number(r.billedCost), 0);
      const mineBilled = scopedCosts.reduce((a, r) => a + Number(r.billedCost), 0);
      assert.ok(mineBilled < allBilled, 'a team-lead sees only its team-tagged cost rows');
      assert.equal((await get('/api/v1/costs?bogus=1', admin.token)).status, 400);

      // Ingest while the server runs: through the CLI and through the API, idempotent.
      const file = join(dir, 'export.csv');
      writeFileSync(file, focusCsv(LINES));
      const first = (await cli(db, 'ingest', file, '--json')).json<Record<string, unknown>>();
      const again = await fetch(`${srv.url}/api/v1/ingest?name=export.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
        body: focusCsv(LINES),
      });
      assert.equal(again.status, 200);
      assert.notDeepEqual(first, {});
      const leadIngest = await fetch(`${srv.url}/api/v1/ingest?name=x.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${lead.token}` },
        body: 'a,b\n1,2\n',
      });
      assert.equal(leadIngest.status, 403);
      // An upload is recorded under the name it was sent with: the answer, its quarantine and the ingest history.
      const named = await fetch(`${srv.url}/api/v1/ingest?name=october.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
        body: `${focusCsv(LINES, { month: '2026-10' })}short,row\n`,
      });
      const namedText = await named.text();
      assert.equal(named.status, 200, namedText);
      assert.doesNotMatch(namedText, /tally-upload-|\/tmp\//, namedText);
      const namedDoc = JSON.parse(namedText) as { files: { file: string }[]; quarantine?: string };
      assert.equal(namedDoc.files[0]!.file, 'october.csv');
      assert.match(namedDoc.quarantine ?? '', /^quarantine-[\w-]+\.csv$/);
      const history = await fetch(`${srv.url}/api/v1/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          sql: 'SELECT DISTINCT file FROM ingests UNION SELECT DISTINCT _source_file FROM cost_rows',
        }),
      });
      const files = ((await history.json()) as { file: string }[]).map((r) => r.file);
      assert.ok(files.includes('october.csv'), files.join());
      assert.ok(!files.some((f) => f.includes('tally-upload-')), files.join());

      // A budget made through the API, with every option a client may send, reads back as the CLI shows it.
      const made = await fetch(`${srv.url}/api/v1/budgets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          scope: 'team',
          value: 'search',
          amount: 15000,
          period: 'custom',
          start: '2026-11-01',
          end: '2026-12-01',
          thresholds: [50, 90],
          forecastThresholds: '100',
          hard: true,
        }),
      });
      assert.equal(made.status, 200, await made.clone().text());
      const { budget } = (await made.json()) as {
        budget: { id: string; actual: number[]; forecast: number[] };
      };
      assert.deepEqual([budget.actual, budget.forecast], [[50, 90], [100]]);
      const budgetId = budget.id;
      const listed = (await cli(db, 'budgets', 'status', '--json', '--at', '2026-11-20')).json<
        { id: string; amountUsd: number; hard: boolean; periodStart: string; periodEnd: string }[]
      >();
      const b = listed.find((x) => x.id === budgetId);
      assert.ok(b, JSON.stringify(listed));
      assert.equal(b.amountUsd, 15000);
      assert.equal(b.hard, true);
      assert.deepEqual(
        [b.periodStart, b.periodEnd],
        ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
      );
      const gone = await fetch(`${srv.url}/api/v1/budgets/${encodeURIComponent(budgetId)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin.token}` },
      });
      assert.equal(gone.status, 200);

      // Every write is in the audit log with who did it.
      const audit = (await (await get('/api/v1/audit', admin.token)).json()) as {
        items: { actor: string; action: string }[];
      };
      const actions = audit.items.map((e) => e.action);
      assert.ok(actions.includes('users create'));
      assert.ok(actions.includes('ingest'));
      assert.ok(audit.items.every((e) => e.actor.startsWith('cli:') || e.actor.startsWith('user:')));

      // An incident's state persists, with who and when; a team-lead changes only its teams' stored incidents.
      const pass = await fetch(`${srv.url}/api/v1/alerts/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}` },
      });
      assert.equal(pass.status, 200, 'an alert pass stores the incidents');
      const incidentList = (await (
        await get(
          `/api/v1/anomalies?from=2026-10-01&to=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`,
          admin.token,
        )
      ).json()) as { incidents: { id: string; scopes: string[]; rootCause: string }[] };
      const inc = incidentList.incidents.find(
        (i) => !`${i.rootCause}, ${i.scopes.join(', ')}`.includes('team=search'),
      );
      assert.ok(inc, 'the demo has an incident of a team other than search');
      const owner = /team=([^,]+)/.exec(`${inc.rootCause}, ${inc.scopes.join(', ')}`)![1]!;
      const ownerLead = (
        await cli(db, 'users', 'create', '--name', 'olle', '--role', 'team-lead', '--team', owner, '--json')
      ).json<{ id: string; token: string }>();
      const setState = (id: string, token: string, body: Record<string, string>) =>
        fetch(`${srv.url}/api/v1/anomalies/${encodeURIComponent(id)}/state`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ack = await setState(inc.id, ownerLead.token, { state: 'acknowledged', note: 'looking' });
      assert.equal(ack.status, 200);
      assert.equal(((await ack.json()) as { stateBy: string }).stateBy, `user:${ownerLead.id}`);
      // Another team's incident is answered like an unknown id: an id confirms nothing.
      assert.equal((await setState(inc.id, lead.token, { state: 'resolved' })).status, 404);
      const forged = await setState(`${inc.id},team=search`, lead.token, { state: 'resolved' });
      assert.equal(forged.status, 404, 'an id that only names the team is no incident');
    } finally {
      const code = await srv.stop();
      assert.equal(code, 0, srv.stderr());
    }
    assert.equal(existsSync(`${db}.server.json`), false, 'a clean stop removes the state file');
  });
});

test('the CLI sends no secret to a process that cannot prove it owns the store, and runs locally', async () => {
  await inTempDir('tally-serve-stale-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await cli(db, 'budgets', 'status', '--json');
    const seen: { auth: string | undefined; url: string | undefined }[] = [];
    const impostor = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ proof: 'not-the-right-one', code: 0, stdout: '{"fake":true}\n', stderr: '' }));
    });
    await new Promise<void>((ok) => impostor.listen(0, '127.0.0.1', ok));
    try {
      const port = (impostor.address() as AddressInfo).port;
      // A stale state file naming a live pid (ours) and a port something else now listens on.
      writeFileSync(
        `${db}.server.json`,
        JSON.stringify({
          url: `http://127.0.0.1:${port}`,
          pid: process.pid,
          secret: 's3cret-owner-token',
          storePath: db,
          startedAt: new Date().toISOString(),
        }),
        { mode: 0o600 },
      );
      const r = await cli(db, 'budgets', 'status', '--json');
      assert.deepEqual(r.json(), []);
      assert.ok(seen.length >= 1, 'the CLI asked for the identity proof');
      assert.ok(
        seen.every((s) => s.auth === undefined),
        'no request carried the secret',
      );
      assert.ok(seen.every((s) => s.url?.startsWith('/api/v1/server/identity')));
    } finally {
      impostor.close();
    }
  });
});

test('tally serve refuses an upload past server.maxUploadMb with a 413 and loads one under it', async () => {
  await inTempDir('tally-serve-upload-', async (dir) => {
    const db = join(dir, 't.duckdb');
    const config = join(dir, 'tally.yaml');
    writeFileSync(config, `version: 1\nstore: { path: ${db} }\nserver:\n  maxUploadMb: 1\n`);
    const srv = await startServeCli(db, '--config', config);
    try {
      const admin = (
        await runCli([
          'users',
          'create',
          '--name',
          'ada',
          '--role',
          'admin',
          '--json',
          '--db',
          db,
          '--config',
          config,
        ])
      ).json<{ token: string }>();
      const upload = (body: string) =>
        fetch(`${srv.url}/api/v1/ingest?name=big.csv`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
          body,
        });
      const big = await upload(`${focusCsv(LINES, { month: '2026-10' })}${'x'.repeat(2 * 1024 * 1024)}\n`);
      assert.equal(big.status, 413, await big.text());
      const small = await upload(focusCsv(LINES, { month: '2026-10' }));
      assert.equal(small.status, 200, await small.text());
    } finally {
      await srv.stop();
    }
  });
});
