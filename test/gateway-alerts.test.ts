/** The running gateway holds the store, so it evaluates budgets and alerts itself, as `tally serve` would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createKeyCli, startGatewayCli, type CliGateway } from './cli.js';
import { makeFixture } from './gateway-fixture.js';
import { startReceiver } from './_receiver.js';

test('tally gateway evaluates budgets every alerts.intervalSeconds and posts the crossed threshold to the sink', async () => {
  const rx = await startReceiver();
  const f = await makeFixture(
    [
      'alerts:',
      '  intervalSeconds: 5',
      `  sinks: [{ type: webhook, url: "${rx.url}/hook" }]`,
      'budgets:',
      '  - { name: tiny, scope: all, period: month, amountUsd: 0.000001, actual: [100], forecast: [] }',
      '',
    ].join('\n'),
  );
  const { key } = await createKeyCli(f.configPath, f.dbPath, 'ml', 'bot', '--env', 'prod');
  let gw: CliGateway | null = null;
  try {
    gw = await startGatewayCli(f.configPath, f.dbPath);
    const url = gw.url;
    const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1` });
    await client.chat.completions.create({
      model: 'mini-direct',
      messages: [{ role: 'user', content: 'hi' }],
    });
    // The ledger flushes within a second; the next evaluation (every 5 s) sees the spend and alerts once.
    for (let i = 0; i < 150 && rx.received.length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(rx.received.length, 1, `no alert arrived; gateway said: ${gw.stderr()}`);
    assert.equal(rx.received[0]?.path, '/hook');
    assert.match(JSON.stringify(rx.received[0]?.body), /tiny|budget/i);
  } finally {
    await gw?.stop();
    await rx.close();
    await f.cleanup();
  }
});
