import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, startGovernance } from './_governance-harness.js';

const extra = `    - { model: trimmed, targets: [aoai-east/gpt-4o-mini], trimHistory: { keepTurns: 1 } }
policy:
  environments:
    dev: { allowModels: [gpt-4o-mini, trimmed] }
    prod: { allowModels: [gpt-4o, gpt-4o-mini], maxOutputTokens: 100 }
  restrictedDeployments: { types: [provisioned], environments: [prod], approvalTag: ptu-approved }
`;

const hi = [{ role: 'user' as const, content: 'hi' }];
const lastCall = (h: { fx: { mock: { calls: { path: string; body: Record<string, unknown> | null }[] } } }) =>
  h.fx.mock.calls[h.fx.mock.calls.length - 1]!;

test('a dev key is denied gpt-4o with a 403 naming the rule, and allowed the small model', async () => {
  const h = await startGovernance(extra, { dev: { team: 'ml', app: 'bot', environment: 'dev' } });
  try {
    const f = await failure(h.client('dev').chat.completions.create({ model: 'gpt-4o', messages: hi }));
    assert.equal(f.status, 403);
    assert.equal(f.error.code, 'policy_denied');
    assert.equal(f.error.type, 'permission_error');
    assert.match(f.error.message ?? '', /policy\.environments\.dev\.allowModels/);
    assert.equal(h.fx.mock.calls.length, 0, 'a denied request never reaches the upstream');
    const ok = await h.client('dev').chat.completions.create({ model: 'gpt-4o-mini', messages: hi });
    assert.ok(ok.choices[0]?.message.content);
    const rows = await h.stopAndQuery(
      `SELECT http_status, error_class FROM usage_events ORDER BY start_time`,
    );
    assert.deepEqual(
      rows.map((r) => Number(r['http_status'])),
      [403, 200],
    );
  } finally {
    await h.close();
  }
});

test('prod output caps deny larger requests and cap requests that set none', async () => {
  const h = await startGovernance(extra, { prod: { team: 'ml', app: 'bot', environment: 'prod' } });
  try {
    const f = await failure(
      h.client('prod').chat.completions.create({ model: 'gpt-4o-mini', messages: hi, max_tokens: 500 }),
    );
    assert.equal(f.status, 403);
    assert.match(f.error.message ?? '', /policy\.environments\.prod\.maxOutputTokens/);
    await h.client('prod').chat.completions.create({ model: 'gpt-4o-mini', messages: hi });
    assert.equal(lastCall(h).body?.['max_completion_tokens'], 100);
  } finally {
    await h.close();
  }
});

test('provisioned deployments are skipped without the approval tag and used with it', async () => {
  const h = await startGovernance(extra, {
    plain: { team: 'ml', app: 'bot', environment: 'prod' },
    approved: { team: 'ml', app: 'bot', environment: 'prod', tags: { 'ptu-approved': 'yes' } },
  });
  try {
    await h.client('plain').chat.completions.create({ model: 'gpt-4o', messages: hi });
    assert.match(lastCall(h).path, /\/deployments\/gpt-4o\//);
    await h.client('approved').chat.completions.create({ model: 'gpt-4o', messages: hi });
    assert.match(lastCall(h).path, /\/deployments\/gpt-4o-ptu\//);
  } finally {
    await h.close();
  }
});

test('history trimming keeps the system prompt and the last turn and records what it saved', async () => {
  const h = await startGovernance(extra, { dev: { team: 'ml', app: 'bot', environment: 'dev' } });
  try {
    const long = 'an earlier question with quite a few words in it '.repeat(20);
    const res = await h
      .client('dev')
      .chat.completions.create({
        model: 'trimmed',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: long },
          { role: 'assistant', content: long },
          { role: 'user', content: 'and now?' },
        ],
      })
      .withResponse();
    assert.ok(Number(res.response.headers.get('x-tally-trimmed-tokens')) > 100);
    assert.deepEqual(lastCall(h).body?.['messages'], [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'and now?' },
    ]);
    const [row] = await h.stopAndQuery(`SELECT CAST(saved_cost_nanos AS VARCHAR) AS saved FROM usage_events`);
    assert.ok(BigInt(String(row?.['saved'])) > 0n);
  } finally {
    await h.close();
  }
});
