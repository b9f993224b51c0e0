import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completionToSse,
  exactCacheKey,
  MemoryResponseCache,
  MemorySemanticCache,
  semanticQuery,
  sseToCompletion,
  unitVector,
  type CacheEntry,
} from './index.js';

const teamA = { keyId: 'k1', team: 'a', app: 'bot' };
const teamB = { keyId: 'k2', team: 'b', app: 'bot' };
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
const entry = (text: string, cost = 5n): CacheEntry => ({
  body: Buffer.from(text),
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, source: 'reported' },
  costNanos: cost,
});

test('the same prompt from two tenants gets two different cache keys', () => {
  assert.notEqual(exactCacheKey(teamA, 'chat', 'gpt-4o', body), exactCacheKey(teamB, 'chat', 'gpt-4o', body));
  // Two keys of one team and app share a tenant; a key without a team is its own tenant.
  assert.equal(
    exactCacheKey(teamA, 'chat', 'gpt-4o', body),
    exactCacheKey({ ...teamA, keyId: 'k9' }, 'chat', 'gpt-4o', body),
  );
  assert.notEqual(
    exactCacheKey({ keyId: 'k1', team: null, app: null }, 'chat', 'gpt-4o', body),
    exactCacheKey({ keyId: 'k2', team: null, app: null }, 'chat', 'gpt-4o', body),
  );
});

test('key order and transport-only fields do not change the key, content does', () => {
  const k = exactCacheKey(teamA, 'chat', 'gpt-4o', body);
  const reordered = { temperature: 0, messages: body.messages, model: 'gpt-4o', stream: true, user: 'u1' };
  assert.equal(exactCacheKey(teamA, 'chat', 'gpt-4o', reordered), k);
  assert.notEqual(exactCacheKey(teamA, 'chat', 'gpt-4o', { ...body, temperature: 1 }), k);
  assert.notEqual(exactCacheKey(teamA, 'chat', 'gpt-4o-mini', body), k);
});

test('the memory cache honours its TTL, entry bound and byte bound (least recently used goes first)', async () => {
  const c = new MemoryResponseCache({ maxEntries: 2, maxBytes: 10_000 });
  await c.set('a', entry('A'), 1000, 0);
  await c.set('b', entry('B'), 1000, 0);
  assert.ok(await c.get('a', 10)); // a is now the most recent
  await c.set('c', entry('C'), 1000, 0);
  assert.equal(await c.get('b', 10), undefined);
  assert.ok(await c.get('a', 10));
  assert.equal(await c.get('a', 1000), undefined, 'expired');
  const small = new MemoryResponseCache({ maxEntries: 100, maxBytes: 1000 });
  await small.set('x', entry('x'.repeat(400)), 1000, 0);
  await small.set('y', entry('y'.repeat(400)), 1000, 0);
  assert.equal(small.size(), 1);
  assert.ok(small.heldBytes() <= 1000);
  await small.set('huge', entry('z'.repeat(5000)), 1000, 0);
  assert.equal(await small.get('huge', 1), undefined);
});

test('semantic lookups match only within their partition and above the threshold', () => {
  const c = new MemorySemanticCache({ threshold: 0.9, maxEntries: 10 });
  const qa = semanticQuery(teamA, 'gpt-4o', body);
  const qb = semanticQuery(teamB, 'gpt-4o', body);
  assert.ok(qa && qb);
  assert.notEqual(qa.partition, qb.partition);
  assert.equal(qa.text, 'hi');
  c.store(qa.partition, unitVector([1, 0, 0])!, entry('A'), 1000, 0);
  assert.equal(c.lookup(qb.partition, unitVector([1, 0, 0])!, 1), null, 'never across tenants');
  const near = c.lookup(qa.partition, unitVector([0.95, 0.1, 0])!, 1);
  assert.ok(near && near.similarity > 0.9);
  assert.equal(c.lookup(qa.partition, unitVector([0.5, 0.5, 0])!, 1), null, 'below threshold');
  assert.equal(c.lookup(qa.partition, unitVector([1, 0, 0])!, 1000), null, 'expired');
});

test('a different system prompt or earlier turn is a different semantic partition', () => {
  const withSys = { ...body, messages: [{ role: 'system', content: 'be terse' }, ...body.messages] };
  const p0 = semanticQuery(teamA, 'gpt-4o', body)?.partition;
  assert.notEqual(semanticQuery(teamA, 'gpt-4o', withSys)?.partition, p0);
  const longer = {
    ...body,
    messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }, ...body.messages],
  };
  assert.notEqual(semanticQuery(teamA, 'gpt-4o', longer)?.partition, p0);
  assert.equal(
    semanticQuery(teamA, 'gpt-4o', { ...body, messages: [{ role: 'assistant', content: 'x' }] }),
    null,
  );
});

test('a cached completion replays as SSE and a streamed answer assembles back to the same completion', () => {
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-2024-08-06',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello there', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };
  const sse = completionToSse(Buffer.from(JSON.stringify(completion)), true);
  assert.ok(sse);
  const text = sse.toString();
  assert.match(text, /"object":"chat.completion.chunk"/);
  assert.match(text, /data: \[DONE\]\n\n$/);
  assert.match(text, /"usage":\{"prompt_tokens":5/);
  assert.doesNotMatch(completionToSse(Buffer.from(JSON.stringify(completion)), false)!.toString(), /"usage"/);
  const back = JSON.parse(sseToCompletion(sse)!.toString()) as typeof completion;
  assert.deepEqual(back.choices, completion.choices);
  assert.deepEqual(back.usage, completion.usage);
  assert.equal(
    sseToCompletion(Buffer.from('data: {"object":"chat.completion.chunk","choices":[]}\n\n')),
    null,
    'no [DONE]',
  );
});
