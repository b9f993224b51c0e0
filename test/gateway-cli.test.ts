/** Contract tests for `tally keys create`, `tally gateway` and `tally usage`, run through the real CLI. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import OpenAI from 'openai';
import { priceUsage } from '../src/catalog/index.js';
import { MOCK_USAGE } from '../src/gateway/testing/mock-upstream.js';
import { createKeyCli, runCli, startGatewayCli, type CliGateway } from './cli.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

let f: GatewayFixture;
let gw: CliGateway | null = null;
before(async () => {
  f = await makeFixture();
});
after(async () => {
  gw?.kill();
  await f.cleanup();
});

/** `tally usage --config C --db D --by team,model --json` (the contract). */
const usageByTeamModel = () =>
  runCli(['usage', '--config', f.configPath, '--db', f.dbPath, '--by', 'team,model', '--json']);

test('a key created by the CLI works on a gateway started later, usage reports it while running and after SIGTERM', async () => {
  const { id, key } = await createKeyCli(
    f.configPath,
    f.dbPath,
    'search',
    'web',
    '--env',
    'prod',
    '--tpm',
    '100000',
    '--budget-usd',
    '50',
    '--budget-period',
    'day',
  );
  assert.match(id, /^key_/);
  assert.match(key, /^tally-sk-/);

  const listed = await runCli(['keys', 'list', '--db', f.dbPath, '--config', f.configPath, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(key), 'the secret is never listed');

  gw = await startGatewayCli(f.configPath, f.dbPath);
  const url = gw.url;

  const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1` });
  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] })
    .withResponse();
  assert.equal(data.usage?.prompt_tokens, MOCK_USAGE.prompt_tokens);
  assert.match(response.headers.get('x-tally-request-id') ?? '', /^req_/);
  const expected = priceUsage(
    {
      inputTokens: MOCK_USAGE.prompt_tokens,
      cachedInputTokens: MOCK_USAGE.cached_tokens,
      outputTokens: MOCK_USAGE.completion_tokens,
      reasoningTokens: MOCK_USAGE.reasoning_tokens,
    },
    { model: 'gpt-4o-mini', deployment: 'global-standard', provider: 'azure-openai', region: 'eastus2' },
  );
  assert.ok(expected.costNanos > 0n);
  assert.equal(Number(response.headers.get('x-tally-cost-usd')), Number(expected.costNanos) / 1e9);

  const bad = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
    body: '{"model":"gpt-4o-mini","messages":[]}',
  });
  assert.equal(bad.status, 401);
  assert.equal(((await bad.json()) as { error: { type: string } }).error.type, 'authentication_error');

  // While the gateway holds the store, usage asks it.
  const live = await usageByTeamModel();
  assert.equal(live.code, 0, live.stderr);
  const rows = live.json<Record<string, unknown>[]>();
  const mine = rows.find((r) => r['team'] === 'search');
  assert.ok(mine, JSON.stringify(rows));
  assert.equal(mine['model'], 'gpt-4o-mini-2024-07-18');
  assert.equal(mine['requests'], 1);
  assert.equal(mine['inputTokens'], MOCK_USAGE.prompt_tokens);
  assert.equal(mine['cachedInputTokens'], MOCK_USAGE.cached_tokens);
  assert.equal(mine['outputTokens'], MOCK_USAGE.completion_tokens);
  assert.equal(mine['costUsd'], Number(expected.costNanos) / 1e9);

  // Keys can be managed while the gateway holds the store: the CLI goes through its admin API.
  const second = await createKeyCli(f.configPath, f.dbPath, 'ads', 'x', '--env', 'dev');
  const c2 = new OpenAI({ apiKey: second.key, baseURL: `${url}/v1`, maxRetries: 0 });
  await c2.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
  const revoked = await runCli([
    'keys',
    'revoke',
    second.id,
    '--config',
    f.configPath,
    '--db',
    f.dbPath,
    '--json',
  ]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.json<{ status: string }>().status, 'revoked');
  const denied = await c2.embeddings
    .create({ model: 'text-embedding-3-small', input: 'x' })
    .catch((e: unknown) => e);
  assert.ok(denied instanceof OpenAI.AuthenticationError);

  const lastLive = await usageByTeamModel();
  assert.equal(lastLive.code, 0, lastLive.stderr);

  // SIGTERM drains and flushes: the same report from the store afterwards.
  assert.equal(await gw.stop(), 0, gw.stderr());
  assert.ok(!existsSync(`${f.dbPath}.gateway.json`), 'state file removed');
  const offline = await usageByTeamModel();
  assert.equal(offline.code, 0, offline.stderr);
  assert.deepEqual(offline.json(), lastLive.json());
  const secret = await runCli([
    'sql',
    '--db',
    f.dbPath,
    '--json',
    `SELECT count(*) AS n FROM usage_events WHERE CAST(tags AS VARCHAR) LIKE '%${key}%' OR key_id LIKE '%${key}%'`,
  ]);
  assert.equal(secret.json<{ n: number }[]>()[0]?.n, 0);
});
