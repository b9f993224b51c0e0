/** Wire compatibility, streaming, spillover, metering and bad input against a real gateway on port 0. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import OpenAI, { AzureOpenAI } from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway, type RunningGateway } from '../src/gateway/index.js';
import { MOCK_ENTRA_TOKEN, MOCK_USAGE, SLOW_MS } from '../src/gateway/testing/mock-upstream.js';
import { openStore } from '../src/store/index.js';
import { ledgerDirFor } from '../src/ledger/index.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

let f: GatewayFixture;
let gw: RunningGateway;
let key: string;

before(async () => {
  f = await makeFixture();
  const s = await openStore({ path: f.dbPath });
  const made = await createKey(s, { team: 'ml', app: 'bot', environment: 'prod' });
  key = made.key;
  await s.close();
  gw = await startGateway({ config: loadConfig({ path: f.configPath }).config, dbPath: f.dbPath, port: 0 });
});
after(async () => {
  await gw.stop();
  await f.cleanup();
});

/** Usage rows from the running gateway's admin API (the store is held by the gateway). */
async function usageBy(by: string): Promise<Record<string, unknown>[]> {
  const { readGatewayState } = await import('../src/gateway/index.js');
  const st = readGatewayState(f.dbPath)!;
  const r = await fetch(`${gw.url}/admin/usage?by=${by}`, {
    headers: { 'x-tally-admin-token': st.adminToken },
  });
  assert.equal(r.status, 200);
  return (await r.json()) as Record<string, unknown>[];
}

function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { error?: { type: string; message: string; code: string } } }> {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body,
  }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as { error?: { type: string; message: string; code: string } },
  }));
}

test('the OpenAI SDK streams through the gateway without seeing the usage chunk it did not ask for', async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  let text = '';
  let sawUsage = false;
  for await (const c of stream) {
    text += c.choices[0]?.delta?.content ?? '';
    if (c.usage) sawUsage = true;
  }
  assert.equal(text, f.mock.words.join(''));
  assert.equal(sawUsage, false);
  const call = f.mock.calls.at(-1)!;
  assert.deepEqual(call.body?.['stream_options'], { include_usage: true });
  assert.equal(call.headers['api-key'], 'aoai-upstream-secret-canary');
  assert.equal(call.headers['authorization'], undefined, 'the client key never goes upstream');
});

test('a client that asks for include_usage gets the usage chunk', async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const c of stream) if (c.usage) usage = c.usage;
  assert.equal(usage?.prompt_tokens, MOCK_USAGE.prompt_tokens);
});

test('the AzureOpenAI SDK works for chat, streaming and embeddings by deployment', async () => {
  const az = new AzureOpenAI({
    apiKey: key,
    endpoint: gw.url,
    apiVersion: '2024-10-21',
    deployment: 'gpt-4o-mini',
  });
  const r = await az.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(r.usage?.completion_tokens, MOCK_USAGE.completion_tokens);
  const s = await az.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  let text = '';
  for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
  assert.equal(text, f.mock.words.join(''));
  const emb = new AzureOpenAI({
    apiKey: key,
    endpoint: gw.url,
    apiVersion: '2024-10-21',
    deployment: 'text-embedding-3-small',
  });
  const e = await emb.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
  assert.equal(e.data[0]?.embedding.length, 3);
});

test('responses, models and an OpenAI-kind upstream with the deployment as model', async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  const resp = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
  assert.equal(resp.usage?.input_tokens, MOCK_USAGE.prompt_tokens);
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === 'gpt-4o'));
  await client.chat.completions.create({ model: 'mini-direct', messages: [{ role: 'user', content: 'x' }] });
  const call = f.mock.calls.at(-1)!;
  assert.equal(call.path, '/v1/chat/completions');
  assert.equal(call.body?.['model'], 'gpt-4o-mini-2024-07-18');
  assert.equal(call.headers['authorization'], 'Bearer sk-upstream-literal-secret');
});

test('a 429 or 500 from a provisioned deployment spills over to the next and is billed once', async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  for (const model of ['spill-429', 'spill-500']) {
    const before = f.mock.calls.length;
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.usage?.prompt_tokens, MOCK_USAGE.prompt_tokens);
    assert.equal(f.mock.calls.length - before, 2);
  }
  const rows = await usageBy('request_model,deployment');
  for (const m of ['spill-429', 'spill-500']) {
    const row = rows.find((r) => r['requestModel'] === m)!;
    assert.equal(row['requests'], 1);
    assert.equal(row['deployment'], 'gpt-4o');
    assert.equal(row['inputTokens'], MOCK_USAGE.prompt_tokens);
  }
  const err = await client.chat.completions
    .create({ model: 'always-429', messages: [{ role: 'user', content: 'x' }] })
    .catch((e: unknown) => e);
  assert.ok(err instanceof OpenAI.RateLimitError);
});

test('bad input gets OpenAI-shaped errors and never reaches the upstream', async () => {
  const before = f.mock.calls.length;
  const cases: [string, string | Buffer, Record<string, string>, number][] = [
    ['/v1/chat/completions', '{"model":', {}, 400],
    ['/v1/chat/completions', '{"model":"gpt-4o"}', { 'content-type': 'text/plain' }, 415],
    [
      '/v1/chat/completions',
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
      {},
      413,
    ],
    ['/v1/chat/completions', Buffer.from([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x7d]), {}, 400],
    ['/v1/chat/completions', '{"model":"gpt-4o","__proto__":{"polluted":1},"messages":[]}', {}, 400],
    ['/v1/chat/completions', '{"model":"gpt-4o","messages":[],"x":{"\\u005f_proto__":{"a":1}}}', {}, 400],
    ['/v1/chat/completions', '[1,2]', {}, 400],
    ['/v1/chat/completions', '{"model":"gpt-4o","messages":[]}', { 'content-encoding': 'gzip' }, 415],
    ['/v1/chat/completions', '{"model":"no-such-model","messages":[]}', {}, 404],
  ];
  for (const [path, body, headers, status] of cases) {
    const r = await post(path, body, headers);
    assert.equal(r.status, status, `${String(body).slice(0, 40)} -> ${r.status}`);
    assert.equal(typeof r.json.error?.message, 'string');
    assert.equal(typeof r.json.error?.type, 'string');
  }
  assert.equal(f.mock.calls.length, before, 'no bad request reached the upstream');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const nf = await post('/v1/chat/completions', '{"model":"no-such-model","messages":[]}');
  assert.match(nf.json.error!.message, /gpt-4o/);
});

test('an api_base in the request never changes the upstream', async () => {
  const before = f.mock.calls.length;
  const r = await post(
    '/v1/chat/completions',
    JSON.stringify({
      model: 'gpt-4o-mini',
      api_base: 'http://169.254.169.254',
      base_url: 'http://evil.example',
      messages: [{ role: 'user', content: 'x' }],
    }),
  );
  assert.equal(r.status, 200);
  assert.equal(f.mock.calls.length, before + 1);
  assert.equal(f.mock.calls.at(-1)!.body?.['api_base'], undefined);
});

test('an upstream that hangs, resets or answers HTML gets a 504/502 OpenAI error', async () => {
  for (const [dep, status] of [
    ['hang', 504],
    ['reset', 502],
    ['html', 502],
  ] as const) {
    const r = await post(
      `/openai/deployments/${dep}/chat/completions?api-version=2024-10-21`,
      '{"messages":[{"role":"user","content":"x"}]}',
      { 'api-key': key, authorization: '' },
    );
    assert.equal(r.status, status, dep);
    assert.equal(r.json.error?.type, 'api_error');
  }
});

test('a client that disconnects mid-stream is metered as partial with the delivered output counted', async () => {
  await new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'count me' }],
      user: 'alice',
    });
    const u = new URL(`${gw.url}/v1/chat/completions`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on('error', () => undefined);
    req.end(body);
    setTimeout(() => reject(new Error('no data')), 5000);
  });
  await new Promise((ok) => setTimeout(ok, 300));
  const rows = await usageBy('end_user,usage_source');
  const partial = rows.find((r) => r['endUser'] === 'alice');
  assert.ok(partial, JSON.stringify(rows));
  assert.equal(partial['usageSource'], 'partial');
  assert.ok((partial['inputTokens'] as number) > 0);
});

test('metrics expose tokens, cost and requests by team and model', async () => {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(
    text,
    /tally_requests_total\{team="ml",app="bot",model="gpt-4o-mini-2024-07-18",deployment_type="global-standard"\} \d+/,
  );
  assert.match(text, /tally_tokens_total\{[^}]*type="cached_input"\} \d+/);
  assert.match(text, /tally_cost_usd_total\{team="ml"[^}]*\} [0-9.e-]+/);
});

test("metrics report the gateway's own overhead apart from the time spent waiting on the upstream", async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  const t0 = performance.now();
  for (let i = 0; i < 3; i++)
    await client.chat.completions.create({ model: 'slow-mini', messages: [{ role: 'user', content: 'x' }] });
  // Each answer took the upstream's SLOW_MS at least...
  assert.ok(performance.now() - t0 >= 3 * SLOW_MS);
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const count = Number(/^tally_gateway_overhead_seconds_count (\d+)$/m.exec(text)?.[1]);
  assert.ok(count >= 3, text);
  // ...but none of it counts as the gateway's: even the slowest request's overhead is far below it.
  const p999 = Number(/^tally_gateway_overhead_seconds\{quantile="0.999"\} ([0-9.e-]+)$/m.exec(text)?.[1]);
  assert.ok(p999 > 0 && p999 < SLOW_MS / 1000, `p999 overhead ${p999}s`);
});

test('an Entra ID upstream gets a bearer token from the configured authority, fetched once', async () => {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1` });
  for (let i = 0; i < 2; i++)
    await client.chat.completions.create({
      model: 'entra-gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
  const tokenCalls = f.mock.calls.filter((c) => c.path.endsWith('/oauth2/v2.0/token'));
  assert.equal(tokenCalls.length, 1);
  assert.equal(tokenCalls[0]!.path, '/contoso/oauth2/v2.0/token');
  const last = f.mock.calls.at(-1)!;
  assert.equal(last.headers['authorization'], `Bearer ${MOCK_ENTRA_TOKEN}`);
  assert.equal(last.headers['api-key'], undefined);
});

test('a stream the upstream cuts is metered as partial and streams carry their cost in a trailer', async () => {
  const res = await fetch(`${gw.url}/openai/deployments/cut/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      stream: true,
      user: 'cut-user',
      messages: [{ role: 'user', content: 'hello there' }],
    }),
  });
  assert.equal(res.status, 200);
  await res.text().catch(() => '');
  const ok = await new Promise<{ trailers: Record<string, string | undefined>; id: string | undefined }>(
    (resolve, reject) => {
      const u = new URL(`${gw.url}/v1/chat/completions`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        },
        (r) => {
          r.resume();
          r.on('end', () =>
            resolve({ trailers: r.trailers, id: r.headers['x-tally-request-id'] as string | undefined }),
          );
        },
      );
      req.on('error', reject);
      req.end(
        JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      );
    },
  );
  assert.match(ok.id ?? '', /^req_/);
  assert.ok(Number(ok.trailers['x-tally-cost-usd']) > 0, JSON.stringify(ok.trailers));
  await new Promise((r) => setTimeout(r, 100));
  const rows = await usageBy('end_user,usage_source');
  const cut = rows.find((r) => r['endUser'] === 'cut-user');
  assert.equal(cut?.['usageSource'], 'partial');
  // The mock cut after the role chunk and 3 words: " Hello there," is at least 3 tokens.
  assert.ok((cut?.['outputTokens'] as number) >= 3, JSON.stringify(cut));
  assert.ok((cut?.['inputTokens'] as number) > 0);
});

test('no secret (client key or upstream key) appears in any response body or ledger row', async () => {
  const st = (await import('../src/gateway/index.js')).readGatewayState(f.dbPath)!;
  const all = await fetch(`${gw.url}/admin/usage?by=key_id,team,end_user,deployment,upstream`, {
    headers: { 'x-tally-admin-token': st.adminToken },
  });
  const text = await all.text();
  for (const secret of [
    key,
    'aoai-upstream-secret-canary',
    'sk-upstream-literal-secret',
    'entra-secret',
    MOCK_ENTRA_TOKEN,
  ])
    assert.ok(!text.includes(secret), 'secret in usage');
  // The durable ledger's WAL segments hold the raw events: no secret there either.
  const dir = ledgerDirFor(f.dbPath);
  const wal = readdirSync(dir)
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('\n');
  assert.ok(wal.length > 0 || text.length > 0);
  for (const secret of [key, 'aoai-upstream-secret-canary', 'sk-upstream-literal-secret', MOCK_ENTRA_TOKEN])
    assert.ok(!wal.includes(secret), 'secret in WAL');
  const err = await post('/v1/chat/completions', '{"model":"always-429","messages":[]}');
  assert.ok(!JSON.stringify(err.json).includes('aoai-upstream-secret-canary'));
});
