/** Time to first token: what the gateway records in each usage event's ttftMs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway } from '../src/gateway/index.js';
import { SLOW_MS } from '../src/gateway/testing/mock-upstream.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { makeFixture } from './gateway-fixture.js';

test('a stream records the time to its first content and a JSON answer the time to its first byte', async () => {
  // 40 ms between stream chunks: the role-only first chunk comes at once, the first word 40 ms later.
  const fx = await makeFixture('', { chunkDelayMs: 40 });
  try {
    const s = await openStore({ path: fx.dbPath });
    const { key } = await createKey(s, { team: 'ttft', app: 'a' });
    await s.close();
    const gw = await startGateway({
      config: loadConfig({ path: fx.configPath }).config,
      dbPath: fx.dbPath,
      port: 0,
    });
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const c of stream) void c;
    // The `slow` deployment answers JSON after SLOW_MS.
    await client.chat.completions.create({ model: 'slow-mini', messages });
    await gw.stop();

    const ro = await openStore({ path: fx.dbPath, readOnly: true });
    const rows = await duckdbSql(ro).query(
      'SELECT ttft_ms, duration_ms FROM usage_events ORDER BY start_time',
    );
    await ro.close();
    assert.equal(rows.length, 2);
    const [streamed, json] = rows.map((r) => ({
      ttft: Number(r['ttft_ms']),
      total: Number(r['duration_ms']),
    }));
    assert.ok(
      streamed!.ttft >= 35,
      `stream ttft ${streamed!.ttft} ms counts the first word, not the role chunk`,
    );
    assert.ok(
      streamed!.ttft <= streamed!.total - 35,
      `stream ttft ${streamed!.ttft} of ${streamed!.total} ms`,
    );
    assert.ok(json!.ttft >= SLOW_MS - 10 && json!.ttft <= json!.total, `json ttft ${json!.ttft} ms`);
  } finally {
    await fx.cleanup();
  }
});
