/** Shutdown: in-flight streams finish and are metered, bad input is in the ledger, nothing is lost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway } from '../src/gateway/index.js';
import { MOCK_USAGE, startMockUpstream } from '../src/gateway/testing/mock-upstream.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { fixtureYaml } from './gateway-fixture.js';

test('SIGTERM-style stop lets an in-flight stream finish, refuses new work and flushes every event', async () => {
  process.env['TALLY_TEST_AOAI_KEY'] = 'k';
  process.env['TALLY_TEST_ENTRA_SECRET'] = 'entra-secret';
  const dir = mkdtempSync(join(tmpdir(), 'tally-drain-'));
  // 40 ms between chunks: the stream lasts ~0.5 s, long enough to be in flight when the stop begins.
  const mock = await startMockUpstream({ chunkDelayMs: 40 });
  try {
    writeFileSync(join(dir, 'tally.yaml'), fixtureYaml(mock.url));
    const dbPath = join(dir, 'tally.duckdb');
    const s = await openStore({ path: dbPath });
    const { key } = await createKey(s, { team: 'drain', app: 'a' });
    await s.close();
    const gw = await startGateway({
      config: loadConfig({ path: join(dir, 'tally.yaml') }).config,
      dbPath,
      port: 0,
    });
    const bad = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"model": "gpt-4o", ',
    });
    assert.equal(bad.status, 400);
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let stopping: Promise<void> | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
      stopping ??= gw.stop();
    }
    assert.equal(text, mock.words.join(''));
    assert.equal(usage?.prompt_tokens, MOCK_USAGE.prompt_tokens);
    await stopping;
    const refused = await fetch(`${gw.url}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.equal(refused, 'refused');

    const ro = await openStore({ path: dbPath, readOnly: true });
    const rows = await duckdbSql(ro).query(
      'SELECT http_status, error_class, usage_source, input_tokens, output_tokens, streamed FROM usage_events ORDER BY start_time',
    );
    await ro.close();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!['http_status'], 400);
    assert.equal(rows[0]!['error_class'], 'invalid_input');
    assert.equal(rows[1]!['streamed'], true);
    assert.equal(rows[1]!['usage_source'], 'reported');
    assert.equal(rows[1]!['input_tokens'], MOCK_USAGE.prompt_tokens);
    assert.equal(rows[1]!['output_tokens'], MOCK_USAGE.completion_tokens);
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
