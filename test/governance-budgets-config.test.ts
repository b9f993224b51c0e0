/** Hard budgets from the top-level `budgets` section (the ones `tally budgets status` reports) hold in the gateway. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway } from '../src/gateway/index.js';
import { openStore } from '../src/store/index.js';
import { makeFixture } from './gateway-fixture.js';

test('a hard team budget in the budgets section refuses the team with 403 once spent, and spares other teams', async () => {
  // $0.000025 a day: the first request's worst case (~$0.000019) fits; after its answer (about $0.0000086 at
  // list) the next worst case no longer does, so it is refused. PTU traffic would cost nothing.
  const f = await makeFixture(
    'budgets:\n  - { name: ml-daily, scope: team, value: ml, period: day, amountUsd: 0.000025, hard: true }\n',
  );
  try {
    const s = await openStore({ path: f.dbPath });
    const ml = await createKey(s, { team: 'ml', app: 'bot', environment: 'prod' });
    const other = await createKey(s, { team: 'search', app: 'rag', environment: 'prod' });
    await s.close();
    const gw = await startGateway({
      config: loadConfig({ path: f.configPath }).config,
      dbPath: f.dbPath,
      port: 0,
    });
    try {
      const ask = (key: string) =>
        new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({
          model: 'mini-direct',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 16,
        });
      await ask(ml.key);
      const refused = await ask(ml.key).then(
        () => null,
        (e: unknown) => e as { status?: number; message?: string },
      );
      assert.equal(refused?.status, 403);
      assert.match(String(refused?.message), /budget/i);
      const ok = await ask(other.key);
      assert.ok(ok.choices[0]?.message.content, 'another team is not affected');
    } finally {
      await gw.stop();
    }
  } finally {
    await f.cleanup();
  }
});
