/**
 * Metering must not be escapable (issue 15, classes 1-5): every served request reaches the ledger, the
 * reservation bounds everything the provider bills, every output cap is read, a hard budget is never
 * exceeded, and an answer without usage is still billed. Each test is named after its class.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { priceUsage } from '../src/catalog/index.js';
import { MOCK_USAGE } from '../src/gateway/testing/mock-upstream.js';
import { failure, startGovernance, type GovHarness } from './_governance-harness.js';

const gpt4o = { model: 'gpt-4o', deployment: 'global-standard', provider: 'azure-openai' };
/** What the mock bills for a `maxout` answer capped at `out` tokens, nano-USD. */
const maxoutCost = (out: number) =>
  priceUsage({ inputTokens: MOCK_USAGE.prompt_tokens, cachedInputTokens: 0, outputTokens: out }, gpt4o)
    .costNanos;
const BUDGET = (maxoutCost(1000) * 7n) / 2n;

let h: GovHarness;
before(async () => {
  h = await startGovernance('  limits:\n    reserveOutputTokens: 1000\npolicy:\n  maxOutputTokens: 5000\n', {
    plain: { team: 'ml', app: 'bot', environment: 'prod' },
    quota: { team: 'ml', app: 'tools', environment: 'prod', quota: { tokens: 2000, period: 'day' } },
    budget: {
      team: 'ml',
      app: 'race',
      environment: 'prod',
      budget: { usd: Number(BUDGET) / 1e9, period: 'day', hard: true },
    },
  });
});
after(async () => {
  await h.close();
});

function post(label: string, body: unknown, path = '/v1/chat/completions') {
  return fetch(`${h.gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.keys[label]}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const served: string[] = [];

test('class 1: a served request always reaches the ledger, whatever strings it carries', async () => {
  // Lone surrogates arrive as JSON escapes; JSON.stringify writes them back as escapes that DuckDB refuses.
  for (const user of ['\\ud800', 'x\\udfff', '\\udc00\\ud800', 'ok\\u0000nul']) {
    const r = await fetch(`${h.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys['plain']}`, 'content-type': 'application/json' },
      body: `{"model":"gpt-4o","user":"${user}","messages":[{"role":"user","content":"hi \\ud83d"}]}`,
    });
    await r.arrayBuffer();
    // Either refused at admission (400) or served and then billed: never served and lost.
    assert.ok(r.status === 200 || r.status === 400, `status ${r.status}`);
    if (r.status === 200) served.push(r.headers.get('x-tally-request-id')!);
  }
  assert.ok(served.length > 0, 'the NUL user is a valid string and must be served');
});

test('class 2: reservations count every billable part of the request (functions, response_format, n)', async () => {
  const big = 'describe the weather in great detail '.repeat(400); // ~15 KB ≫ 2,000 tokens of TPM
  const parts: Record<string, unknown>[] = [
    { functions: [{ name: 'f', description: big, parameters: { type: 'object', properties: {} } }] },
    {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 's', schema: { type: 'object', description: big } },
      },
    },
    { tools: [{ type: 'function', function: { name: 'g', description: big } }] },
    { messages: [{ role: 'user', content: { type: 'text', text: big } }] },
    { prediction: { type: 'content', content: big } },
  ];
  // A hard 2,000-token quota admits a request only when its worst case fits: each of these ~4,000-token
  // prompts is refused (they reserved ~10 tokens each before), and so is n=3 x 900 output tokens.
  for (const extra of parts) {
    const r = await post('quota', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      ...extra,
    });
    await r.arrayBuffer();
    assert.equal(r.status, 403, `${Object.keys(extra).join()} must count against the 2,000-token quota`);
  }
  const many = await post('quota', {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 900,
    n: 3,
  });
  await many.arrayBuffer();
  assert.equal(many.status, 403);
  // `n` that is not an integer is refused rather than read as 1.
  for (const n of ['5', 2.5, -1, 0, 1e9]) {
    const r = await post('plain', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], n });
    const body = (await r.json()) as { error: { param: string } };
    assert.equal(r.status, 400, `n=${JSON.stringify(n)}`);
    assert.equal(body.error.param, 'n');
  }
});

test('class 3: every output cap is read, and the largest is reserved and policed', async () => {
  // 50 + 100,000: the upstream honours max_completion_tokens, so policy (cap 5,000) must police that one.
  const r = await post('plain', {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 50,
    max_completion_tokens: 100_000,
  });
  const denied = (await r.json()) as { error: { code: string } };
  assert.equal(r.status, 403);
  assert.equal(denied.error.code, 'policy_denied');
  for (const [field, v] of [
    ['max_tokens', '100000'],
    ['max_completion_tokens', 1.5],
    ['max_output_tokens', -3],
  ] as const) {
    const bad = await post('plain', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      [field]: v,
    });
    const body = (await bad.json()) as { error: { param: string } };
    assert.equal(bad.status, 400, field);
    assert.equal(body.error.param, field);
  }
});

test('class 4: a hard budget is never exceeded under a concurrent race on one replica', async () => {
  const results = await Promise.all(
    Array.from({ length: 60 }, () =>
      post('budget', {
        model: 'maxout',
        messages: [{ role: 'user', content: 'race' }],
        max_tokens: 1000,
      }).then(async (r) => (await r.arrayBuffer(), r.status)),
    ),
  );
  // Each answer bills its whole cap; 3.5 answers fit, so exactly 3 may be admitted.
  assert.equal(results.filter((s) => s === 200).length, 3);
  assert.ok(results.filter((s) => s !== 200).every((s) => s === 403));
  const after = await failure(h.client('budget').chat.completions.create({ model: 'gpt-4o', messages: [] }));
  assert.equal(after.error.code, 'budget_exceeded');
});

test('class 5: an answer without usage is not free, and reported usage wins when it arrived', async () => {
  const nousage = await post('plain', {
    model: 'nousage',
    messages: [{ role: 'user', content: 'count me' }],
  });
  assert.equal(nousage.status, 200);
  await nousage.arrayBuffer();
  const cut = await post('plain', {
    model: 'cutusage',
    messages: [{ role: 'user', content: 'stream me' }],
    stream: true,
  });
  await cut.text().catch(() => '');
  const ids = [nousage.headers.get('x-tally-request-id')!, cut.headers.get('x-tally-request-id')!];
  const rows = await h.stopAndQuery(
    `SELECT id, input_tokens, output_tokens, usage_source, CAST(cost_nanos AS VARCHAR) AS cost
     FROM usage_events WHERE id IN ($1, $2)`,
    ids,
  );
  const byId = new Map(rows.map((r) => [r['id'], r]));
  const est = byId.get(ids[0]);
  assert.equal(est?.['usage_source'], 'estimated');
  assert.ok(Number(est?.['input_tokens']) > 0 && Number(est?.['output_tokens']) > 0);
  assert.ok(BigInt(String(est?.['cost'])) > 0n);
  const rep = byId.get(ids[1]);
  assert.equal(rep?.['usage_source'], 'reported');
  assert.equal(Number(rep?.['input_tokens']), MOCK_USAGE.prompt_tokens);
  assert.equal(Number(rep?.['output_tokens']), MOCK_USAGE.completion_tokens);
});

test('class 1: every request served with such strings is in the ledger after the flush', async () => {
  const found = await h.stopAndQuery(
    `SELECT count(*) AS n FROM usage_events WHERE id IN (${served.map((_, i) => `$${i + 1}`).join(', ')})`,
    served,
  );
  assert.equal(Number(found[0]?.['n']), served.length);
});
