/** Contract: through the real CLI (`tally keys create`, `tally gateway`), limits answer 429 and 403 OpenAI-shaped. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createKeyCli, startGatewayCli, type CliGateway } from './cli.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

const POLICY = `policy:
  environments:
    dev: { allowModels: [gpt-4o-mini] }
    prod: { allowModels: [gpt-4o, gpt-4o-mini], maxOutputTokens: 4096 }
`;

let f: GatewayFixture;
let gw: CliGateway | null = null;
before(async () => {
  f = await makeFixture(POLICY);
});
after(async () => {
  gw?.kill();
  await f.cleanup();
});

async function createKey(...flags: string[]): Promise<string> {
  return (await createKeyCli(f.configPath, f.dbPath, 'ml', 'bot', ...flags)).key;
}

async function errorOf(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

test('keys made by the CLI get 429 for TPM, 403 for budget and 403 for policy from a CLI-started gateway', async () => {
  const tpmKey = await createKey('--env', 'prod', '--tpm', '100');
  const budgetKey = await createKey('--env', 'prod', '--budget-usd', '0.000001', '--budget-period', 'day');
  const devKey = await createKey('--env', 'dev');
  gw = await startGatewayCli(f.configPath, f.dbPath);
  const url = gw.url;
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
  const ask = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'hello' }],
    max_tokens: 80,
  };

  await client(tpmKey).chat.completions.create(ask);
  const rate = await errorOf(client(tpmKey).chat.completions.create(ask));
  assert.equal(rate.status, 429);
  assert.ok(Number(rate.headers?.get('retry-after')) >= 1);
  assert.match(rate.headers?.get('x-ratelimit-remaining-tokens') ?? '', /^\d+$/);
  assert.equal((rate.error as { code?: string }).code, 'rate_limited');

  // The first request fits the headroom; the budget is then spent and the next one is refused.
  await client(budgetKey).chat.completions.create(ask);
  const budget = await errorOf(client(budgetKey).chat.completions.create(ask));
  assert.equal(budget.status, 403);
  assert.equal((budget.error as { code?: string }).code, 'budget_exceeded');
  assert.match(budget.message, /key\.budget/);

  const policy = await errorOf(client(devKey).chat.completions.create({ ...ask, model: 'gpt-4o' }));
  assert.equal(policy.status, 403);
  assert.equal((policy.error as { code?: string }).code, 'policy_denied');
  assert.match(policy.message, /policy\.environments\.dev\.allowModels/);

  assert.equal(await gw.stop(), 0, gw.stderr());
});
