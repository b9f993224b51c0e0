import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Upstream } from './_upstreams.js';

const timeouts = { connectMs: 1000, firstByteMs: 1000, idleMs: 1000 };
const up = (kind: 'azure-openai' | 'openai' | 'openai-compatible', baseUrl: string): Upstream =>
  new Upstream(
    {
      name: 'u',
      kind,
      baseUrl,
      apiKey: 'literal-key',
      apiVersion: '2024-10-21',
      maxConnections: 1,
      deployments: [{ name: 'd/1', model: 'gpt-4o', type: 'global-standard' }],
    },
    timeouts,
  );

test('Azure paths carry the encoded deployment and the configured api-version', async () => {
  const u = up('azure-openai', 'https://x.openai.azure.com/');
  assert.equal(u.path('chat', 'd/1'), '/openai/deployments/d%2F1/chat/completions?api-version=2024-10-21');
  assert.equal(u.path('embeddings', 'e'), '/openai/deployments/e/embeddings?api-version=2024-10-21');
  // A static key is there at once: no promise on the request's path.
  assert.deepEqual(u.authHeader(), ['api-key', 'literal-key']);
  await u.pool.close();
});

test('OpenAI-style servers get /v1 once, whether or not the base URL already ends with it', async () => {
  const a = up('openai-compatible', 'http://localhost:11434/v1');
  const b = up('openai', 'https://api.openai.com');
  const c = up('openai-compatible', 'http://vllm:8000/prefix/');
  assert.equal(a.path('chat', 'llama3'), '/v1/chat/completions');
  assert.equal(b.path('responses', 'gpt-4o'), '/v1/responses');
  assert.equal(c.path('embeddings', 'x'), '/prefix/v1/embeddings');
  assert.deepEqual(b.authHeader(), ['authorization', 'Bearer literal-key']);
  await Promise.all([a.pool.close(), b.pool.close(), c.pool.close()]);
});
