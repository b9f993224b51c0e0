/** Contract: through the real CLI (`tally keys create`, `tally gateway`), limits answer 429 and 403 OpenAI-shaped. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { priceUsage } from '../src/catalog/index.js';
import { nanosToDecimalString } from '../src/core/index.js';
import { promptTokenBound } from '../src/gateway/limits/index.js';
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
  // A budget the first request's worst case fits, but not the second's once the first answer is spent
  // (mini-direct has one target, so the worst case is its byte bound + 80 output tokens at its price).
  const budgetAsk = {
    model: 'mini-direct',
    messages: [{ role: 'user' as const, content: 'hello' }],
    max_tokens: 80,
  };
  const q = { model: 'gpt-4o-mini', deployment: 'global-standard', provider: 'openai' };
  const worst = priceUsage(
    { inputTokens: promptTokenBound(budgetAsk), cachedInputTokens: 0, outputTokens: 80 },
    q,
  ).costNanos;
  const answer = priceUsage({ inputTokens: 20, cachedInputTokens: 5, outputTokens: 10 }, q).costNanos;
  const budgetUsd = nanosToDecimalString(worst + answer / 2n);
  const budgetKey = await createKey('--env', 'prod', '--budget-usd', budgetUsd, '--budget-period', 'day');
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

  // The first request's worst case fits; after its answer the next one's no longer does, so it is refused.
  await client(budgetKey).chat.completions.create(budgetAsk);
  const budget = await errorOf(client(budgetKey).chat.completions.create(budgetAsk));
  assert.equal(budget.status, 403);
  assert.equal((budget.error as { code?: string }).code, 'budget_exceeded');
  assert.match(budget.message, /key\.budget/);

  const policy = await errorOf(client(devKey).chat.completions.create({ ...ask, model: 'gpt-4o' }));
  assert.equal(policy.status, 403);
  assert.equal((policy.error as { code?: string }).code, 'policy_denied');
  assert.match(policy.message, /policy\.environments\.dev\.allowModels/);

  assert.equal(await gw.stop(), 0, gw.stderr());
});
