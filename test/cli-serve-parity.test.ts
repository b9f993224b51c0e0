/**
 * Every command of `tally --help` works while `tally serve` owns the store (issue 11 item 2). Each command is
 * in exactly one class below, so a new command fails the first test until someone says how it behaves with a
 * server running. Read commands print the same JSON on the served store as on a copy with no server; each has
 * an API route that returns that JSON, or says why it has none. Writes give the same answers through the
 * server as on the copy; commands that must own the store name the server to stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/index.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { REPORTS, readsOnly } from '../src/api/index.js';
import { REPO_ROOT, runCli, startServeCli } from './cli.js';
import { inTempDir } from './_allocation-fixture.js';

const P = '2026-11';
const FROM = ['--from', '2026-11-01', '--to', '2026-12-01'];
const FROM_QUERY = 'from=2026-11-01&to=2026-12-01';
const KPIS = (dir: string) => join(dir, 'demo', 'business-kpis.csv');
const EXPORT = (dir: string) => join(dir, 'demo', 'azure-focus-export.csv');

/** A read command: its arguments, and the API route that returns the same document (query string) or why none. */
interface Read {
  readonly argv: (dir: string) => string[];
  readonly api?: { readonly route: string; readonly query: string };
  readonly noRoute?: string;
}

const READS: Record<string, Read> = {
  sql: {
    argv: () => ['sql', 'SELECT count(*) AS n, sum(cost_nanos) AS c FROM usage_events'],
    noRoute: 'POST /api/v1/sql (a body, not a query): admin only',
  },
  usage: {
    argv: () => ['usage', '--by', 'team,model', ...FROM],
    api: { route: 'usage', query: `by=team,model&${FROM_QUERY}` },
  },
  // With the previous period and the top groups: both are computed in the command, so both sides must agree.
  costs: {
    argv: () => ['costs', '--by', 'x_AiModel', ...FROM, '--compare', '--top', '3'],
    api: { route: 'costs', query: `by=x_AiModel&${FROM_QUERY}&compare=true&top=3` },
  },
  chargeback: {
    argv: () => ['chargeback', '--period', P, '--by', 'team'],
    api: { route: 'chargeback', query: `period=${P}&by=team` },
  },
  reconcile: { argv: () => ['reconcile', '--period', P], api: { route: 'reconcile', query: `period=${P}` } },
  'unit-economics': {
    argv: () => ['unit-economics', '--period', P],
    api: { route: 'unit-economics', query: `period=${P}` },
  },
  'budgets status': {
    argv: () => ['budgets', 'status', '--at', '2026-11-20'],
    api: { route: 'budgets', query: 'at=2026-11-20' },
  },
  forecast: {
    argv: () => ['forecast', '--horizon', '14'],
    api: { route: 'forecast', query: 'horizon=14' },
  },
  anomalies: { argv: () => ['anomalies', ...FROM], api: { route: 'anomalies', query: FROM_QUERY } },
  freshness: { argv: () => ['freshness'], api: { route: 'freshness', query: '' } },
  'keys list': { argv: () => ['keys', 'list', '--all'], api: { route: 'keys', query: 'all=true' } },
  'users list': { argv: () => ['users', 'list'], noRoute: 'GET /api/v1/users (admin) lists the same users' },
  recommend: {
    argv: () => ['recommend', '--period', P],
    api: { route: 'recommend', query: `period=${P}` },
  },
  carbon: { argv: () => ['carbon', '--period', P], api: { route: 'carbon', query: `period=${P}` } },
  maturity: { argv: () => ['maturity', '--period', P], api: { route: 'maturity', query: `period=${P}` } },
  prices: { argv: () => ['prices', '--model', 'gpt-4o'], api: { route: 'prices', query: 'model=gpt-4o' } },
  estimate: {
    argv: () => ['estimate', '--scenario', join(REPO_ROOT, 'examples/support-chatbot.yaml')],
    noRoute: 'reads a scenario file on the caller’s disk; priced from the catalog GET /api/v1/prices serves',
  },
};

/** Writes: the same answer through the server as on the copy (ids and secrets compared by shape only). */
const WRITES: Record<string, { argv: (dir: string) => string[]; exact: boolean }> = {
  'budgets set': {
    argv: () => ['budgets', 'set', '--scope', 'team', '--value', 'search', '--amount', '15000'],
    exact: true,
  },
  'kpis import': { argv: (dir) => ['kpis', 'import', KPIS(dir), '--source', 'parity'], exact: true },
  ingest: { argv: (dir) => ['ingest', EXPORT(dir)], exact: true },
  'export focus': {
    argv: (dir) => ['export', 'focus', '--period', P, '--out', join(dir, 'focus.csv')],
    exact: true,
  },
  'keys create': {
    argv: () => ['keys', 'create', '--team', 'support', '--app', 'bot', '--env', 'prod'],
    exact: false,
  },
  'users create': {
    argv: () => ['users', 'create', '--name', 'pat', '--role', 'viewer', '--team', 'search'],
    exact: false,
  },
  'alerts run': { argv: () => ['alerts', 'run', '--dry-run', '--at', '2026-12-01T00:00:00Z'], exact: false },
  'prices import': {
    argv: (dir) => ['prices', 'import', join(dir, 'retail.json'), '--any-region'],
    exact: false,
  },
  // Need what an earlier write made (each store its own ids): run after the reads that follow the writes.
  'keys rotate': { argv: () => [], exact: false },
  'keys revoke': { argv: () => [], exact: false },
  'users revoke': { argv: () => [], exact: false },
  'budgets delete': { argv: () => ['budgets', 'delete', '--id', 'team:search:month'], exact: true },
};

/** Commands that must own the store: refused while a server owns it, naming the process to stop. */
const OWNS_STORE: Record<string, (dir: string, db: string) => string[]> = {
  demo: () => ['demo', '--days', '7', '--skip-analyses'],
  serve: () => ['serve', '--port', '0'],
  'store copy': (dir, db) => ['store', 'copy', '--from', db, '--to', join(dir, 'copy.duckdb')],
  gateway: (dir) => ['gateway', '--config', join(dir, 'gateway.yaml'), '--port', '0'],
};

/** Commands that read no store (or reach the server themselves), with where they are tested. */
const NO_STORE: Record<string, string> = {
  tokens: 'counts text with tiktoken',
  validate: 'checks a file without loading it',
  'alerts test': 'posts to the configured sinks',
  mcp: 'stdio MCP that runs through the running server (test/mcp.test.ts)',
  ask: 'calls a chat model through the gateway with the MCP tools (test/mcp.test.ts)',
};

/** Writes run after the others, by hand (they need ids the others made, or change what the others read). */
const LATER = new Set([
  'keys create',
  'users create',
  'keys rotate',
  'keys revoke',
  'users revoke',
  'budgets delete',
]);

/** A small Azure Retail Prices page (one model, two meters). */
const RETAIL = JSON.stringify({
  Items: ['Inp', 'Outp'].map((t, i) => ({
    serviceName: 'Foundry Models',
    productName: 'Azure OpenAI',
    meterName: `gpt 4.1 mini ${t} glbl Tokens`,
    unitPrice: [0.0004, 0.0016][i],
    unitOfMeasure: '1K',
    currencyCode: 'USD',
    type: 'Consumption',
    armRegionName: 'swedencentral',
    effectiveStartDate: '2025-05-01T00:00:00Z',
  })),
});

async function run(argv: string[], db: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--json', '--db', db], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

/** The anomaly document says whether it read stored incidents or scanned, and when: not part of the answer. */
function comparable(command: string, doc: unknown): unknown {
  if (command !== 'anomalies' || !doc || typeof doc !== 'object') return doc;
  const { source: _s, asOf: _a, ...rest } = doc as Record<string, unknown>;
  return rest;
}

/** Keys (recursively) of a document, for answers that carry fresh ids and secrets (or depend on past passes). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return 'array';
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, typeof x === 'object' ? shape(x) : typeof x]),
    );
  return typeof v;
}

test('every command is classed: a read with an API route or a reason, a write, one that owns the store, or none', () => {
  const classed = [READS, WRITES, OWNS_STORE, NO_STORE].flatMap((t) => Object.keys(t));
  assert.deepEqual(
    COMMANDS.map((c) => c.name).filter((n) => !classed.includes(n)),
    [],
    'a new command needs its class here (and a route, if it reads the store)',
  );
  assert.equal(new Set(classed).size, classed.length, 'a command is in one class only');
  for (const [name, r] of Object.entries(READS)) {
    assert.ok(r.api || r.noRoute, `${name}: an API route or the reason it has none`);
    // The API's report cache survives a forwarded read; anomalies is left out of that list on purpose (a scan
    // may store the incidents it finds).
    if (name !== 'anomalies')
      assert.ok(readsOnly(r.argv('/tmp')), `${name}: forwarded reads keep the API's report cache`);
    if (r.api) assert.deepEqual([...REPORTS[r.api.route as keyof typeof REPORTS].command], name.split(' '));
  }
  for (const name of Object.keys(WRITES)) assert.equal(readsOnly(name.split(' ')), false, name);
  const routed = Object.values(READS).flatMap((r) => (r.api ? [r.api.route] : []));
  assert.deepEqual(
    Object.keys(REPORTS).filter((r) => !routed.includes(r)),
    [],
    'every report route is compared',
  );
});

test('while tally serve owns the store, every command answers as it does on a copy with no server', async () => {
  await inTempDir('tally-parity-', async (dir) => {
    const db = join(dir, 'served.duckdb');
    const direct = join(dir, 'direct.duckdb');
    const demo = await runCli(
      ['demo', '--days', '40', '--end', '2026-12-01', '--skip-analyses', '--db', db],
      {
        cwd: dir,
      },
    );
    assert.equal(demo.code, 0, demo.stderr);
    copyFileSync(db, direct);
    writeFileSync(join(dir, 'retail.json'), RETAIL);
    // An upstream is all `tally gateway` needs before it asks for the store (it is never reached here).
    writeFileSync(
      join(dir, 'gateway.yaml'),
      'gateway:\n  upstreams:\n    - { name: a, kind: openai, baseUrl: "http://127.0.0.1:9", apiKey: x, deployments: [{ name: gpt-4o-mini, model: gpt-4o-mini, type: global-standard }] }\n',
    );
    const srv = await startServeCli(db);
    try {
      // Reads: the same exit code and document, through the server and on the copy.
      const served: Record<string, unknown> = {};
      for (const [name, r] of Object.entries(READS)) {
        const a = await run(r.argv(dir), db);
        const b = await run(r.argv(dir), direct);
        assert.equal(a.code, 0, `${name} through the server: ${a.stderr}`);
        assert.equal(b.code, 0, `${name} on the copy: ${b.stderr}`);
        served[name] = JSON.parse(a.stdout);
        assert.deepEqual(comparable(name, served[name]), comparable(name, JSON.parse(b.stdout)), name);
      }

      // Writes: the same answers (fresh ids and secrets by shape), then the same reads after them.
      const made: Record<string, Record<string, unknown>> = {};
      const write = async (name: string, argv: string[], exact: boolean) => {
        const a = await run(argv, db);
        const b = await run(argv, direct);
        assert.equal(a.code, 0, `${name} through the server: ${a.stderr}`);
        assert.equal(b.code, 0, `${name} on the copy: ${b.stderr}`);
        const [da, db_] = [JSON.parse(a.stdout) as Record<string, unknown>, JSON.parse(b.stdout) as unknown];
        assert.deepEqual(exact ? da : shape(da), exact ? db_ : shape(db_), name);
        made[name] = da;
        return [da, db_ as Record<string, unknown>] as const;
      };
      for (const [name, w] of Object.entries(WRITES)) {
        const argv = w.argv(dir);
        if (argv.length > 0 && !LATER.has(name)) await write(name, argv, w.exact);
      }
      // Fresh ids: each store's own.
      const keyA = await run(WRITES['keys create']!.argv(dir), db);
      const keyB = await run(WRITES['keys create']!.argv(dir), direct);
      const [ka, kb] = [JSON.parse(keyA.stdout) as { id: string }, JSON.parse(keyB.stdout) as { id: string }];
      assert.deepEqual(shape(ka), shape(kb));
      const both = async (name: string, argv: (id: string) => string[], ids: [string, string]) => {
        const a = await run(argv(ids[0]), db);
        const b = await run(argv(ids[1]), direct);
        assert.equal(a.code, 0, `${name}: ${a.stderr}`);
        assert.deepEqual([a.code, shape(JSON.parse(a.stdout))], [b.code, shape(JSON.parse(b.stdout))], name);
        return [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { id: string }[];
      };
      const [ra, rb] = await both('keys rotate', (id) => ['keys', 'rotate', id], [ka.id, kb.id]);
      await both('keys revoke', (id) => ['keys', 'revoke', id], [ra!.id, rb!.id]);
      const userA = await run(WRITES['users create']!.argv(dir), db);
      const userB = await run(WRITES['users create']!.argv(dir), direct);
      const [ua, ub] = [
        JSON.parse(userA.stdout) as { id: string },
        JSON.parse(userB.stdout) as { id: string },
      ];
      await both('users revoke', (id) => ['users', 'revoke', id], [ua.id, ub.id]);
      for (const name of ['budgets status', 'unit-economics', 'costs', 'freshness']) {
        const r = READS[name]!;
        const a = await run(r.argv(dir), db);
        const b = await run(r.argv(dir), direct);
        assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout), `${name} after the writes`);
      }

      await write('budgets delete', WRITES['budgets delete']!.argv(dir), true);
      const gone = await run(READS['budgets status']!.argv(dir), db);
      assert.deepEqual(JSON.parse(gone.stdout), [], 'the budget made through the server is gone');

      // The API returns what the CLI prints, for every report route.
      const admin = JSON.parse(
        (await run(['users', 'create', '--name', 'ada', '--role', 'admin'], db)).stdout,
      ) as {
        token: string;
      };
      for (const [name, r] of Object.entries(READS)) {
        if (!r.api) continue;
        const cli = JSON.parse((await run(r.argv(dir), db)).stdout) as unknown;
        const res = await fetch(`${srv.url}/api/v1/${r.api.route}?${r.api.query}`, {
          headers: { authorization: `Bearer ${admin.token}` },
        });
        assert.equal(res.status, 200, `${r.api.route}: ${await res.clone().text()}`);
        assert.deepEqual(comparable(name, await res.json()), comparable(name, cli), `/api/v1/${r.api.route}`);
      }

      // The writes the CLI forwards have API routes too, with roles and the audit log.
      const viewer = JSON.parse(
        (await run(['users', 'create', '--name', 'vi', '--role', 'viewer', '--team', 'search'], db)).stdout,
      ) as { token: string };
      const post = (path: string, token: string, body: string, type = 'text/csv') =>
        fetch(`${srv.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': type },
          body,
        });
      const kpiCsv = readFileSync(KPIS(dir), 'utf8');
      assert.equal((await post('/api/v1/kpis?source=api', viewer.token, kpiCsv)).status, 403);
      const kpis = await post('/api/v1/kpis?name=kpis.csv&source=api', admin.token, kpiCsv);
      assert.equal(kpis.status, 200, await kpis.clone().text());
      const viaCli = JSON.parse(
        (await run(['kpis', 'import', KPIS(dir), '--source', 'api'], direct)).stdout,
      ) as {
        rows: number;
        source: string;
      };
      assert.deepEqual((({ rows, source }) => ({ rows, source }))((await kpis.json()) as typeof viaCli), {
        rows: viaCli.rows,
        source: viaCli.source,
      });
      assert.equal((await post('/api/v1/kpis?bogus=1', admin.token, kpiCsv)).status, 400);
      const sheet = await post('/api/v1/prices/import?name=retail.json&anyRegion=true', admin.token, RETAIL);
      assert.equal(sheet.status, 200, await sheet.clone().text());
      assert.deepEqual(((await sheet.json()) as { models: string[] }).models, ['gpt-4.1-mini']);
      assert.equal((await post('/api/v1/prices/import', viewer.token, RETAIL)).status, 403);
      const pass = await post('/api/v1/alerts/run', admin.token, '{"dryRun":true}', 'application/json');
      assert.equal(pass.status, 200, await pass.clone().text());
      assert.deepEqual(Object.keys((await pass.json()) as object).sort(), [
        'alerts',
        'anomalies',
        'at',
        'budgets',
      ]);
      assert.equal((await post('/api/v1/alerts/run', viewer.token, '{}', 'application/json')).status, 403);
      const key = JSON.parse((await run(WRITES['keys create']!.argv(dir), db)).stdout) as { id: string };
      const rotated = await post(`/api/v1/keys/${key.id}/rotate`, admin.token, '', 'application/json');
      assert.equal(rotated.status, 200, await rotated.clone().text());
      assert.equal(((await rotated.json()) as { replaced: string }).replaced, key.id);
      const audit = (await (
        await fetch(`${srv.url}/api/v1/audit`, { headers: { authorization: `Bearer ${admin.token}` } })
      ).json()) as { items: { action: string; actor: string }[] };
      const byApi = audit.items.filter((e) => e.actor.startsWith('user:')).map((e) => e.action);
      for (const action of ['kpis import', 'prices import', 'keys rotate'])
        assert.ok(byApi.includes(action), `${action} audited as the API user: ${byApi.join(', ')}`);
      assert.ok(!byApi.includes('alerts run'), 'a dry run changes nothing and is not audited');

      // Commands that must own the store say which process holds it and how to stop it.
      for (const [name, argv] of Object.entries(OWNS_STORE)) {
        // A child process: these start servers and trap signals, which a refusal must not leave behind here.
        const r = await runCli([...argv(dir, db), '--db', db], { cwd: dir });
        assert.equal(r.code, 75, `${name}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stderr,
          new RegExp(`owns it\\. Stop that server first \\(kill -TERM ${srv.pid}`),
          name,
        );
      }
    } finally {
      assert.equal(await srv.stop(), 0, srv.stderr());
    }
  });
});
