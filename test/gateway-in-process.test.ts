/**
 * `gateway.handle(request)`: the gateway answered in-process, over in-memory connections, by the same code a
 * TCP client meets: the official openai client works through it (JSON and streams), answers are metered in
 * the ledger, and the route table and the admin API behave as over the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, readGatewayState, startGateway } from '../src/gateway/index.js';
import { openStore } from '../src/store/index.js';
import { makeFixture } from './gateway-fixture.js';

/** A key for team `inproc` in the fixture's store, and the fixture's gateway started on a free port. */
async function startWithKey(fx: Awaited<ReturnType<typeof makeFixture>>) {
  const s = await openStore({ path: fx.dbPath });
  const { key } = await createKey(s, { team: 'inproc', app: 'a' });
  await s.close();
  const gw = await startGateway({
    config: loadConfig({ path: fx.configPath }).config,
    dbPath: fx.dbPath,
    port: 0,
  });
  return { key, gw };
}

test('the openai client and the admin API work through handle() and every answer is metered once, long prompts with a prefix fingerprint', async () => {
  const fx = await makeFixture('');
  try {
    const { key, gw } = await startWithKey(fx);
    const handle = gw.gateway.handle.bind(gw.gateway);
    const client = new OpenAI({
      apiKey: key,
      // Any origin: nothing leaves the process.
      baseURL: 'http://in-process.invalid/v1',
      maxRetries: 0,
      fetch: (url: string | URL | Request, init?: RequestInit) => handle(new Request(url, init)),
    });
    const messages = [{ role: 'user' as const, content: 'hello there' }];
    const json = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.ok(json.choices[0]?.message.content);
    assert.ok((json.usage?.total_tokens ?? 0) > 0);
    let text = '';
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0, 'the stream relays content');

    // Long prompts get a salted fingerprint of their first 1,024 tokens: equal for a shared prefix, none for
    // short prompts (the longprompt deployment reports 2,000 prompt tokens).
    const system = Array.from({ length: 300 }, (_, i) => `Rule ${i}: cite policy ${i * 7}.`).join(' ');
    for (const q of ['first question', 'second question'])
      await client.chat.completions.create({
        model: 'longprompt-mini',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: q },
        ],
      });

    // The route table: a GET on a POST endpoint and an unknown path are OpenAI-shaped 404s.
    const wrongMethod = await handle(new Request('http://x/v1/chat/completions'));
    assert.equal(wrongMethod.status, 404);
    assert.equal(((await wrongMethod.json()) as { error: { code: string } }).error.code, 'not_found');
    assert.equal((await handle(new Request('http://x/healthz'))).status, 200);

    // The admin API: its token is required, its table answers, and the usage report sees both requests.
    assert.equal((await handle(new Request('http://x/admin/keys'))).status, 401);
    const adminHeaders = { authorization: `Bearer ${readGatewayState(fx.dbPath)!.adminToken}` };
    const missing = await handle(new Request('http://x/admin/nothing', { headers: adminHeaders }));
    assert.equal(missing.status, 404);
    const usage = await handle(new Request('http://x/admin/usage?by=team', { headers: adminHeaders }));
    assert.equal(usage.status, 200);
    const rows = (await usage.json()) as { team: string; requests: number }[];
    assert.deepEqual(
      rows.filter((r) => r.team === 'inproc').map((r) => r.requests),
      [4],
    );
    await gw.stop();

    const ro = await openStore({ path: fx.dbPath, readOnly: true });
    assert.equal(await ro.countUsage(new Date(0), new Date(Date.now() + 86_400_000)), 4);
    const prints = await ro.readOnlySql(
      'SELECT deployment, prompt_prefix_hash AS h FROM usage_events ORDER BY start_time',
    );
    assert.deepEqual(
      prints.map((r) => r['deployment']),
      ['gpt-4o-mini', 'gpt-4o-mini', 'longprompt', 'longprompt'],
    );
    assert.equal(prints[0]!['h'], null, 'a short prompt has no fingerprint');
    assert.match(String(prints[2]!['h']), /^[0-9a-f]{32}$/);
    assert.equal(prints[2]!['h'], prints[3]!['h'], 'a shared prefix has one fingerprint');
    await ro.close();
  } finally {
    await fx.cleanup();
  }
});

test('no path, query, header or body field of a request chooses the upstream host, path or api-version', async () => {
  const fx = await makeFixture('');
  try {
    const { key, gw } = await startWithKey(fx);
    try {
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
      const post = (path: string, headers: Record<string, string> = {}, b = body) =>
        gw.gateway.handle(
          new Request(`http://x${path}`, {
            method: 'POST',
            headers: { 'api-key': key, 'content-type': 'application/json', ...headers },
            body: b,
          }),
        );
      const before = fx.mock.calls.length;
      for (const path of [
        '/openai/deployments/..%2F..%2Fevil/chat/completions?api-version=2024-10-21',
        '/openai/deployments/gpt-4o-mini%2F..%2F..%2Fadmin/chat/completions',
      ]) {
        const r = await post(path);
        assert.equal(r.status, 404, path);
        await r.arrayBuffer();
      }
      for (const model of ['http://evil.example/v1', '../gpt-4o-mini', 'aoai-east/gpt-4o-mini']) {
        const r = await post('/v1/chat/completions', {}, JSON.stringify({ model, messages: [] }));
        assert.equal(r.status, 404, model);
        await r.arrayBuffer();
      }
      assert.equal(fx.mock.calls.length, before, 'none of them reached an upstream');
      const ok = await post(
        '/openai/deployments/gpt-4o-mini/chat/completions?api-version=1999-01-01&x=1%23',
        {
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
          'x-ms-region': 'evil',
        },
      );
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      const call = fx.mock.calls.at(-1)!;
      assert.match(
        call.path,
        /^\/openai\/deployments\/gpt-4o-mini\/chat\/completions\?api-version=[0-9-]+(preview)?$/,
      );
      assert.doesNotMatch(call.path, /1999|x=1/);
      assert.equal(new URL(fx.mock.url).host, call.headers.host);
      assert.equal(call.headers['x-forwarded-host'], undefined);
      assert.equal(call.headers['x-ms-region'], undefined);
    } finally {
      await gw.stop();
    }
  } finally {
    await fx.cleanup();
  }
});
