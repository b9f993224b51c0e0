import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_FAILURES_PER_WINDOW, AuthThrottle, ReportCache, hashToken } from '../api/index.js';
import type { AuditEntry, CostStore, UserRecord } from '../store/index.js';
import { handleMcpHttp, type McpHttpDeps } from './_server.js';
import { callTool } from './_call.js';
import { askSpent, recordAskSpend } from './_budget.js';
import { parseUsd } from '../core/index.js';

const viewer: UserRecord = {
  id: 'u-v',
  name: 'vic',
  role: 'viewer',
  teams: ['claims'],
  tokenHash: hashToken('tally-u-viewer'),
  tokenPrefix: 'tally-u-v',
  status: 'active',
  createdAt: new Date(0),
  revokedAt: null,
};

function deps() {
  const audit: AuditEntry[] = [];
  const runs: { argv: readonly string[]; scope: unknown }[] = [];
  const store = {
    findUserByTokenHash: async (h: string) => (h === viewer.tokenHash ? viewer : null),
    appendAudit: async (e: AuditEntry) => void audit.push(e),
  } as unknown as CostStore;
  const d: McpHttpDeps = {
    store,
    secret: 'owner-secret',
    now: () => new Date('2026-12-02T00:00:00Z'),
    async run(argv, o) {
      runs.push({ argv, scope: o.scope });
      return { code: 0, stdout: '[]', stderr: '' };
    },
  };
  return { d, audit, runs };
}

const rpc = (method: string, params: unknown, token?: string) =>
  new Request('http://tally.test/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });

test('POST /mcp without a token, or with an unknown one, is 401 and runs nothing', async () => {
  const { d, runs } = deps();
  for (const token of [undefined, 'tally-u-nobody']) {
    const res = await handleMcpHttp(rpc('tools/list', {}, token), d);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  }
  assert.equal(runs.length, 0);
});

test('guessing tokens on /mcp shares the API limit: past its allowance wrong tokens from an address get 429s, a right one still passes', async () => {
  const { d, runs } = deps();
  const throttle = new AuthThrottle();
  const withThrottle = { ...d, authThrottle: throttle };
  for (let i = 0; i < AUTH_FAILURES_PER_WINDOW; i++)
    assert.equal(
      (await handleMcpHttp(rpc('tools/list', {}, `tally-u-guess${i}`), withThrottle, '10.0.0.9')).status,
      401,
    );
  const blocked = await handleMcpHttp(rpc('tools/list', {}, 'tally-u-guess-more'), withThrottle, '10.0.0.9');
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  // A right token is never locked out by others' failures from the same address (a proxy, the local CLI).
  assert.equal(
    (await handleMcpHttp(rpc('tools/list', {}, 'tally-u-viewer'), withThrottle, '10.0.0.9')).status,
    200,
  );
  assert.equal(
    (await handleMcpHttp(rpc('tools/list', {}, 'tally-u-guess-x'), withThrottle, '10.0.0.10')).status,
    401,
  );
  assert.equal(runs.length, 0);
});

test('/mcp is stateless: GET and DELETE are 405, there is no session to open or end', async () => {
  const { d } = deps();
  for (const method of ['GET', 'DELETE']) {
    const res = await handleMcpHttp(new Request('http://tally.test/mcp', { method }), d);
    assert.equal(res.status, 405);
  }
});

test("a viewer's tools/list has no org-wide or SQL tools, and its calls run with its teams as scope", async () => {
  const { d, runs, audit } = deps();
  const list = (await (await handleMcpHttp(rpc('tools/list', {}, 'tally-u-viewer'), d)).json()) as {
    result: { tools: { name: string; inputSchema: { type: string } }[] };
  };
  const names = list.result.tools.map((t) => t.name);
  assert.ok(names.includes('get_costs') && names.includes('get_chargeback'));
  assert.ok(!names.includes('run_sql') && !names.includes('get_unit_economics'));
  assert.ok(list.result.tools.every((t) => t.inputSchema.type === 'object'));
  const res = await handleMcpHttp(
    rpc('tools/call', { name: 'get_budgets', arguments: {} }, 'tally-u-viewer'),
    d,
  );
  const body = (await res.json()) as { result: { isError: boolean; content: { text: string }[] } };
  assert.equal(body.result.isError, false);
  assert.deepEqual(JSON.parse(body.result.content[0]!.text), { rows: [], rowCount: 0, omittedRows: 0 });
  assert.deepEqual(runs, [{ argv: ['budgets', 'status', '--json'], scope: { teams: ['claims'] } }]);
  assert.deepEqual(
    audit.map((e) => [e.actor, e.action, e.target, e.details['costUsd']]),
    [['user:u-v', 'mcp tool', 'get_budgets', '0']],
  );
});

test('a cached answer is per scope, every call is audited even when cached, and a write makes the next call compute', async () => {
  const { d, runs, audit } = deps();
  const cached = { ...d, cache: new ReportCache(60_000) };
  const org = { kind: 'local', actor: 'cli:x' } as const;
  const vic = { kind: 'user', user: viewer } as const;
  const args = { from: '2026-11-01', to: '2026-12-01' };
  await callTool(cached, org, 'get_costs', args, { via: 'mcp' });
  await callTool(cached, vic, 'get_costs', args, { via: 'mcp' });
  assert.deepEqual(
    runs.map((r) => r.scope),
    [null, { teams: ['claims'] }],
    "the org's answer is never the viewer's",
  );
  await callTool(cached, vic, 'get_costs', args, { via: 'mcp' });
  await callTool(cached, org, 'get_costs', args, { via: 'mcp' });
  assert.equal(runs.length, 2, 'repeat calls are answered from the cache');
  assert.equal(audit.length, 4, 'cached calls are audited too');
  cached.cache.clear();
  await callTool(cached, vic, 'get_costs', args, { via: 'mcp' });
  assert.equal(runs.length, 3);
  await callTool(cached, org, 'run_sql', { query: 'SELECT 1' }, { via: 'mcp' });
  await callTool(cached, org, 'run_sql', { query: 'SELECT 1' }, { via: 'mcp' });
  assert.equal(runs.length, 5, 'SQL is never cached');
});

test("the ask budget adds each question's exact cost to the caller's UTC day", async () => {
  const kv = new Map<string, unknown>();
  const store = {
    getMeta: async (ns: string, k: string) => kv.get(`${ns}/${k}`),
    setMeta: async (ns: string, k: string, v: unknown) => void kv.set(`${ns}/${k}`, v),
  };
  const day = new Date('2026-12-02T10:00:00Z');
  await recordAskSpend(store, 'user:a', day, parseUsd('0.000150003'));
  await recordAskSpend(store, 'user:a', new Date('2026-12-02T23:59:59Z'), parseUsd('0.1'));
  assert.equal(await askSpent(store, 'user:a', day), parseUsd('0.100150003'));
  assert.equal(await askSpent(store, 'user:b', day), 0n, 'per caller');
  assert.equal(await askSpent(store, 'user:a', new Date('2026-12-03T00:00:00Z')), 0n, 'per day');
});
