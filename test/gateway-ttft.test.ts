/** Time to first token: what the gateway records in each usage event's ttftMs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway } from '../src/gateway/index.js';
import { SLOW_MS, startMockUpstream } from '../src/gateway/testing/mock-upstream.js';
import { openStore } from '../src/store/index.js';
import { fixtureYaml } from './gateway-fixture.js';

test('a stream records the time to its first content and a JSON answer the time to its first byte', async () => {
  process.env['TALLY_TEST_AOAI_KEY'] = 'k';
  process.env['TALLY_TEST_ENTRA_SECRET'] = 'entra-secret';
  const dir = mkdtempSync(join(tmpdir(), 'tally-ttft-'));
  // 40 ms between stream chunks: the role-only first chunk comes at once, the first word 40 ms later.
  const mock = await startMockUpstream({ chunkDelayMs: 40 });
  try {
    writeFileSync(join(dir, 'tally.yaml'), fixtureYaml(mock.url));
    const dbPath = join(dir, 'tally.duckdb');
    const s = await openStore({ path: dbPath });
    const { key } = await createKey(s, { team: 'ttft', app: 'a' });
    await s.close();
    const gw = await startGateway({
      config: loadConfig({ path: join(dir, 'tally.yaml') }).config,
      dbPath,
      port: 0,
    });
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const c of stream) void c;
    // The `slow` deployment answers JSON after SLOW_MS.
    await client.chat.completions.create({ model: 'slow-mini', messages });
    await gw.stop();

    const ro = await openStore({ path: dbPath, readOnly: true });
    const rows = await ro.query('SELECT streamed, ttft_ms, duration_ms FROM usage_events ORDER BY start_time');
    await ro.close();
    assert.equal(rows.length, 2);
    const [streamed, json] = rows.map((r) => ({ ttft: Number(r['ttft_ms']), total: Number(r['duration_ms']) }));
    assert.ok(streamed!.ttft >= 35, `stream ttft ${streamed!.ttft} ms counts the first word, not the role chunk`);
    assert.ok(streamed!.ttft <= streamed!.total - 35, `stream ttft ${streamed!.ttft} of ${streamed!.total} ms`);
    assert.ok(json!.ttft >= SLOW_MS - 10 && json!.ttft <= json!.total, `json ttft ${json!.ttft} ms`);
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
