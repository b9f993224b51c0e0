/**
 * Guardrails of the MCP tools and `tally ask` on a small store: an admin's SQL tool runs in the read-only,
 * no-file sandbox, and `tally ask` refuses before any model call once the caller's daily budget is spent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { toolDeps } from '../src/cli/commands/_assistant.js';
import { configSchema, parseUsd } from '../src/core/index.js';
import { callTool, recordAskSpend, type ToolDeps } from '../src/mcp/index.js';

let dir = '';
let db = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-mcp-guard-'));
  db = join(dir, 't.duckdb');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const depsOf = (store: CostStore): ToolDeps => toolDeps(configSchema.parse({}), store);

test("the admin's run_sql reads the store's tables but no file, and changes nothing", async () => {
  const secret = join(dir, 'secret.csv');
  writeFileSync(secret, 'password\nhunter2\n');
  const store = await openStore({ path: db });
  try {
    const admin = { kind: 'local', actor: 'cli:test' } as const;
    const deps = depsOf(store);
    const ok = await callTool(
      deps,
      admin,
      'run_sql',
      { query: 'SELECT count(*) AS n FROM usage_events' },
      { via: 'mcp' },
    );
    assert.equal(ok.ok, true, ok.text);
    for (const query of [
      `SELECT * FROM read_csv('${secret}')`,
      `SELECT * FROM '${secret}'`,
      'CREATE TABLE stolen AS SELECT 1 AS x',
      'DELETE FROM usage_events',
    ]) {
      const r = await callTool(deps, admin, 'run_sql', { query }, { via: 'mcp' });
      assert.equal(r.ok, false, `${query} is refused`);
      assert.ok(!r.text.includes('hunter2'), 'no file content reaches the result');
    }
    const audit = await store.listAudit({ limit: 20 });
    assert.equal(audit.filter((e) => e.action === 'mcp tool' && e.target === 'run_sql').length, 5);
    assert.ok(
      audit.some((e) => e.target === 'run_sql' && e.details['ok'] === false && e.actor === 'cli:test'),
    );
  } finally {
    await store.close();
  }
});

test('tally ask refuses before calling the model once the caller has spent its day’s budget', async () => {
  const store = await openStore({ path: db });
  await recordAskSpend(store, `cli:${userInfo().username}`, new Date(), parseUsd('0.02'));
  await store.close();
  const config = join(dir, 'tally.yaml');
  // Nothing listens on the gateway URL: a model call would fail as unavailable, not as over budget.
  writeFileSync(
    config,
    'assistant:\n  model: gpt-4o-mini\n  key: sk-test\n  gatewayUrl: http://127.0.0.1:9\n  budgetUsdPerDay: 0.02\n',
  );
  const r = await runCli(['ask', 'What did we spend?', '--db', db, '--config', config, '--json']);
  assert.equal(r.code, 75, r.stderr);
  const err = JSON.parse(r.stdout || r.stderr) as { error: { code: string; message: string } };
  assert.equal(err.error.code, 'budget_exceeded');
  assert.match(err.error.message, /budgetUsdPerDay/);
});
