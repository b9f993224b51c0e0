import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { nanosToDecimalString, parseUsd } from '../src/core/index.js';
import { createKey } from '../src/gateway/index.js';
import { openStore } from '../src/store/index.js';
import { failure, startGovernance } from './_governance-harness.js';

const chatCalls = (h: { fx: { mock: { calls: { path: string }[] } } }) =>
  h.fx.mock.calls.filter((c) => c.path.includes('/chat/completions')).length;

const prompt = (content: string, system?: string) => ({
  model: 'gpt-4o-mini',
  messages: [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user' as const, content },
  ],
  temperature: 0,
});

test('two tenants sending the same prompt never share an exact cache entry, and a hit records the saved cost', async () => {
  const h = await startGovernance('  cache:\n    exact: { ttlSeconds: 60 }\n', {
    a: { team: 'alpha', app: 'bot', environment: 'prod' },
    a2: { team: 'alpha', app: 'bot', environment: 'prod' },
    b: { team: 'beta', app: 'bot', environment: 'prod' },
  });
  try {
    const first = await h.client('a').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(first.response.headers.get('x-tally-cache'), 'miss');
    assert.equal(chatCalls(h), 1);
    const again = await h.client('a').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(again.response.headers.get('x-tally-cache'), 'hit-exact');
    assert.equal(again.data.choices[0]?.message.content, first.data.choices[0]?.message.content);
    assert.equal(chatCalls(h), 1, 'a hit does not reach the upstream');
    // Another key of the same team and app is the same tenant.
    const sibling = await h.client('a2').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(sibling.response.headers.get('x-tally-cache'), 'hit-exact');
    // Another tenant: always a miss, answered by the upstream.
    const other = await h.client('b').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(other.response.headers.get('x-tally-cache'), 'miss');
    assert.equal(chatCalls(h), 2);
    // A streaming request replays the cached answer as SSE through the SDK.
    const stream = await h
      .client('a')
      .chat.completions.create({ ...prompt('What is FinOps?'), stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, first.data.choices[0]?.message.content);
    assert.equal(chatCalls(h), 2);
    // Bypass on request.
    const bypass = await h
      .client('a')
      .chat.completions.create(prompt('What is FinOps?'), { headers: { 'cache-control': 'no-cache' } })
      .withResponse();
    assert.equal(bypass.response.headers.get('x-tally-cache'), 'bypass');
    assert.equal(chatCalls(h), 3);

    // A streamed answer is cached too: stream first, then the same question without streaming hits.
    const s2 = await h.client('a').chat.completions.create({ ...prompt('Stream me'), stream: true });
    let streamed = '';
    for await (const chunk of s2) streamed += chunk.choices[0]?.delta.content ?? '';
    const afterStream = await h.client('a').chat.completions.create(prompt('Stream me')).withResponse();
    assert.equal(afterStream.response.headers.get('x-tally-cache'), 'hit-exact');
    assert.equal(afterStream.data.choices[0]?.message.content, streamed);

    const rows = await h.stopAndQuery(
      `SELECT key_id, cache_outcome, CAST(cost_nanos AS VARCHAR) AS cost, CAST(saved_cost_nanos AS VARCHAR) AS saved,
         input_tokens + output_tokens AS tokens
       FROM usage_events ORDER BY start_time`,
    );
    const missCost = BigInt(
      String(rows.find((r) => r['cache_outcome'] === 'miss' && r['key_id'] === h.ids['a'])?.['cost']),
    );
    assert.ok(missCost > 0n);
    const hits = rows.filter((r) => r['cache_outcome'] === 'hit-exact');
    assert.equal(hits.length, 4);
    for (const r of hits) {
      assert.equal(BigInt(String(r['cost'])), 0n);
      assert.equal(BigInt(String(r['saved'])), missCost);
      assert.equal(r['tokens'], 0, 'a hit consumed no upstream tokens');
      assert.notEqual(r['key_id'], h.ids['b']);
    }
  } finally {
    await h.close();
  }
});

test('the semantic cache matches close questions within a tenant, model and system prompt only', async () => {
  const extra = '  cache:\n    semantic: { embeddingModel: text-embedding-3-small, threshold: 0.9 }\n';
  const h = await startGovernance(extra, {
    a: { team: 'alpha', app: 'bot', environment: 'prod' },
    b: { team: 'beta', app: 'bot', environment: 'prod' },
  });
  try {
    const first = await h.client('a').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(first.response.headers.get('x-tally-cache'), 'miss');
    // The mock embeds every text to the same vector: similarity 1, so only the partition decides.
    const close = await h.client('a').chat.completions.create(prompt('Explain FinOps please')).withResponse();
    assert.equal(close.response.headers.get('x-tally-cache'), 'hit-semantic');
    const otherTenant = await h.client('b').chat.completions.create(prompt('What is FinOps?')).withResponse();
    assert.equal(otherTenant.response.headers.get('x-tally-cache'), 'miss');
    const otherSystem = await h
      .client('a')
      .chat.completions.create(prompt('What is FinOps?', 'Answer in French'))
      .withResponse();
    assert.equal(otherSystem.response.headers.get('x-tally-cache'), 'miss');
    assert.equal(chatCalls(h), 3);
    assert.ok(
      h.fx.mock.calls.some((c) => c.path.includes('/embeddings')),
      'the embedding deployment was called',
    );
    const embedCalls = h.fx.mock.calls.filter((c) => c.path.includes('/embeddings')).length;
    const rows = await h.stopAndQuery(
      `SELECT operation, team, cache_outcome, CAST(tags AS VARCHAR) AS tags, input_tokens,
         CAST(cost_nanos AS VARCHAR) AS cost, CAST(saved_cost_nanos AS VARCHAR) AS saved
       FROM usage_events`,
    );
    const hits = rows.filter((r) => r['cache_outcome'] === 'hit-semantic');
    assert.equal(hits.length, 1);
    assert.ok(BigInt(String(hits[0]?.['saved'])) > 0n);
    // The cache's own embedding calls are spend too: one event per call, priced, on the asking tenant's bill.
    const embeds = rows.filter((r) => r['operation'] === 'embeddings');
    assert.equal(embeds.length, embedCalls);
    assert.deepEqual(new Set(embeds.map((r) => r['team'])), new Set(['alpha', 'beta']));
    for (const r of embeds) {
      assert.match(String(r['tags']), /"tally:purpose":\s*"semantic-cache"/);
      assert.ok(Number(r['input_tokens']) > 0);
      assert.ok(BigInt(String(r['cost'])) > 0n);
    }
  } finally {
    await h.close();
  }
});

test("a tenant's budget also carries the semantic cache's embedding calls made for its requests", async () => {
  const extra = '  cache:\n    semantic: { embeddingModel: text-embedding-3-small, threshold: 0.9 }\n';
  const h = await startGovernance(extra, {
    probe: { team: 'probe', app: 'bot', environment: 'prod' },
    // A zero budget refuses everything, and its refusal names the request's worst case to the nano-dollar.
    zero: { team: 'zero', app: 'bot', environment: 'prod', budget: { usd: 0, period: 'day', hard: true } },
  });
  const worstOf = async (content: string): Promise<bigint> => {
    const r = await failure(h.client('zero').chat.completions.create(prompt(content)));
    return parseUsd(/may cost up to \$([\d.]+)/.exec(r.error.message ?? '')![1]!);
  };
  try {
    const worst = await worstOf('Explain FinOps please');
    // What one cache miss costs: the chat answer and the embedding the lookup needed.
    await h.client('probe').chat.completions.create(prompt('What is FinOps?'));
    const spent = await h.stopAndQuery(
      `SELECT operation, CAST(cost_nanos AS VARCHAR) AS cost FROM usage_events WHERE team = 'probe'`,
    );
    const chat = BigInt(String(spent.find((r) => r['operation'] === 'chat')?.['cost']));
    const embed = BigInt(String(spent.find((r) => r['operation'] === 'embeddings')?.['cost']));
    assert.ok(chat > 0n && embed > 0n);
    // After one answer, the next worst case fits if only the chat answer was charged, not with the embedding.
    const usd = Number(nanosToDecimalString(worst + chat + embed / 2n));
    assert.ok(parseUsd(usd) > worst + chat && parseUsd(usd) < worst + chat + embed);
    const store = await openStore({ path: h.fx.dbPath });
    const { key } = await createKey(store, {
      team: 'capped',
      app: 'bot',
      environment: 'prod',
      budget: { usd, period: 'day', hard: true },
    });
    await store.close();
    await h.restart();
    const client = new OpenAI({ apiKey: key, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create(prompt('What is FinOps?'));
    const refused = await failure(client.chat.completions.create(prompt('Explain FinOps please')));
    assert.equal(refused.status, 403);
    assert.equal(refused.error.code, 'budget_exceeded');
  } finally {
    await h.close();
  }
});
