import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseRelay } from './_sse.js';

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }], usage: null })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } } })}\n\n`;

test('complete events pass at once and a split event waits for its end', () => {
  const r = new SseRelay(false);
  const a = chunk('Hel');
  assert.equal(r.push(a), a);
  const b = chunk('lo');
  assert.equal(r.push(b.slice(0, 10)), '');
  assert.equal(r.push(b.slice(10)), b);
  assert.equal(r.deliveredText(), 'Hello');
});

test('the usage-only chunk is recorded and stripped when the client did not ask for it', () => {
  const r = new SseRelay(true);
  const out = r.push(chunk('x') + usageChunk + 'data: [DONE]\n\n');
  assert.ok(!out.includes('prompt_tokens'));
  assert.ok(out.includes('[DONE]'));
  assert.equal(r.usage?.inputTokens, 7);
  assert.equal(r.usage?.cachedInputTokens, 2);
  assert.equal(r.sawDone, true);
});

test('the usage chunk is kept when the client asked for it', () => {
  const r = new SseRelay(false);
  const out = r.push(usageChunk);
  assert.equal(out, usageChunk);
  assert.equal(r.usage?.outputTokens, 3);
});

test('CRLF-delimited events are handled like LF ones', () => {
  const r = new SseRelay(true);
  const ev = chunk('a').replace(/\n/g, '\r\n') + usageChunk.replace(/\n/g, '\r\n');
  const out = r.push(ev);
  assert.ok(out.includes('"a"'));
  assert.equal(r.usage?.inputTokens, 7);
});
