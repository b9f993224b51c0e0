import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priceUsage } from '../src/catalog/index.js';
import { promptTokenBound } from '../src/gateway/limits/index.js';
import { failure, startGovernance } from './_governance-harness.js';

const ask = (content: string, max_tokens?: number) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content }],
  ...(max_tokens !== undefined ? { max_tokens } : {}),
});

test('a key over its tokens-per-minute limit gets 429 with retry-after and remaining tokens', async () => {
  const h = await startGovernance('', { small: { team: 'ml', app: 'bot', environment: 'prod', tpm: 100 } });
  try {
    const c = h.client('small');
    // Worst case = prompt (~8) + 80 output: the first fits in 100; it settles to 30 actual, leaving ~70.
    const ok = await c.chat.completions.create(ask('hello there', 80)).withResponse();
    assert.ok(Number(ok.response.headers.get('x-ratelimit-remaining-tokens')) < 100);
    const f = await failure(c.chat.completions.create(ask('hello there', 80)));
    assert.equal(f.status, 429);
    assert.equal(f.error.code, 'rate_limited');
    assert.equal(f.error.type, 'rate_limit_error');
    assert.match(f.error.message ?? '', /key\.tpm/);
    const retry = Number(f.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `retry-after ${retry}`);
    const remaining = Number(f.headers.get('x-ratelimit-remaining-tokens'));
    assert.ok(remaining >= 0 && remaining < 90, `remaining ${remaining}`);
    // A request that fits what is left still passes: the limit counts tokens, not requests.
    await c.chat.completions.create(ask('hi', 1));
  } finally {
    await h.close();
  }
});

test('a hard budget holds under 50 concurrent requests and survives a restart', async () => {
  const messages = [{ role: 'user' as const, content: 'budget probe' }];
  // The gateway reserves its byte bound of the whole body (see limits/prompt-bound.ts).
  const prompt = promptTokenBound({ model: 'gpt-4o-mini', messages, max_tokens: 100 });
  const q = { model: 'gpt-4o-mini', deployment: 'global-standard', provider: 'azure-openai' };
  const worst = priceUsage({ inputTokens: prompt, cachedInputTokens: 0, outputTokens: 100 }, q).costNanos;
  // The mock bills 20 input (5 cached) + 10 output tokens per answer.
  const actual = priceUsage({ inputTokens: 20, cachedInputTokens: 5, outputTokens: 10 }, q).costNanos;
  assert.ok(worst > actual && actual > 0n);
  const budgetNanos = worst * 5n + worst / 2n;
  const usd = (Number(budgetNanos) / 1e9).toFixed(9);
  const h = await startGovernance('', {
    capped: {
      team: 'fin',
      app: 'bot',
      environment: 'prod',
      budget: { usd: Number(usd), period: 'day', hard: true },
    },
  });
  try {
    const c = h.client('capped');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        c.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 100 }),
      ),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) =>
        r.status === 'rejected' &&
        r.reason instanceof Error &&
        'status' in r.reason &&
        r.reason.status === 403,
    );
    assert.ok(admitted >= 5, `admitted ${admitted}`);
    assert.equal(admitted + refused.length, 50);
    const err = (refused[0] as PromiseRejectedResult).reason as {
      error?: { code?: string; message?: string };
    };
    assert.equal(err.error?.code, 'budget_exceeded');
    assert.match(err.error?.message ?? '', /key\.budget/);

    // After a restart the budget continues from the stored spend.
    await h.restart();
    // One request at a time now, so every admission sees the settled spend of the one before: spend must end
    // within one request of the budget. (Concurrent bursts refuse early on in-flight worst cases, by design.)
    const after: PromiseSettledResult<unknown>[] = [];
    // A refusal can still come from the previous request's reservation, settled just after its answer
    // reached us: only three refusals in a row, 100 ms apart, mean the budget is spent.
    for (let i = 0, refusals = 0; i < 40 && refusals < 3; i++) {
      const [r] = await Promise.allSettled([
        h.client('capped').chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 100 }),
      ]);
      after.push(r!);
      refusals = r!.status === 'rejected' ? refusals + 1 : 0;
      if (refusals > 0) await new Promise((ok) => setTimeout(ok, 100));
    }
    const [row] = await h.stopAndQuery(
      `SELECT CAST(SUM(cost_nanos) AS VARCHAR) AS spend, COUNT(*) FILTER (WHERE http_status = 200) AS ok
       FROM usage_events WHERE key_id = $1`,
      [h.ids['capped']!],
    );
    const spend = BigInt(String(row?.['spend']));
    assert.equal(Number(row?.['ok']), admitted + after.filter((r) => r.status === 'fulfilled').length);
    // Class 4: admission needs spend + reservations + the worst case to fit, so the budget is never overrun.
    assert.ok(spend <= budgetNanos, `spend ${spend} > budget ${budgetNanos}`);
    assert.ok(spend >= budgetNanos - worst, `the budget was not used up: ${spend} of ${budgetNanos}`);
  } finally {
    await h.close();
  }
});

test('a token quota answers 403 once exhausted', async () => {
  const h = await startGovernance('', {
    q: { team: 'ml', app: 'bot', environment: 'prod', quota: { tokens: 300, period: 'day' } },
  });
  try {
    const c = h.client('q');
    // Each answer bills 30 tokens; a request passes only while its worst case (the byte bound of its body +
    // 20 output tokens) fits in what is left of the 300.
    const worst = promptTokenBound(ask('again', 20)) + 20;
    let served = 0;
    for (; served < 20; served++) {
      const r = await c.chat.completions.create(ask('again', 20)).catch((e: unknown) => e);
      if (r instanceof Error) break;
    }
    assert.equal(served, Math.floor((300 - worst) / 30) + 1);
    const f = await failure(c.chat.completions.create(ask('one more', 1)));
    assert.equal(f.status, 403);
    assert.equal(f.error.code, 'quota_exceeded');
    assert.match(f.error.message ?? '', /key\.quota/);
  } finally {
    await h.close();
  }
});

test("team limits from tally.yaml apply across all of the team's keys", async () => {
  const extra = `  limits:\n    teams:\n      shared: { tpm: 100 }\n`;
  const h = await startGovernance(extra, {
    a: { team: 'shared', app: 'one', environment: 'prod' },
    b: { team: 'shared', app: 'two', environment: 'prod' },
  });
  try {
    await h.client('a').chat.completions.create(ask('hello', 80));
    const f = await failure(h.client('b').chat.completions.create(ask('hello', 80)));
    assert.equal(f.status, 429);
    assert.match(f.error.message ?? '', /gateway\.limits\.teams\.shared\.tpm/);
  } finally {
    await h.close();
  }
});

test('a soft budget never refuses; its first breach is flagged on the response and recorded', async () => {
  const h = await startGovernance('', {
    soft: {
      team: 'ml',
      app: 'bot',
      environment: 'prod',
      budget: { usd: 0.000001, period: 'month', hard: false },
    },
  });
  try {
    const c = h.client('soft');
    const r1 = await c.chat.completions.create(ask('one', 50)).withResponse();
    assert.equal(r1.response.headers.get('x-tally-budget-warning'), 'key.budget');
    const r2 = await c.chat.completions.create(ask('two', 50)).withResponse();
    assert.equal(r2.response.headers.get('x-tally-budget-warning'), null, 'reported once per window');
    const rows = await h.stopAndQuery(
      `SELECT key, value FROM kv WHERE namespace = 'gateway.soft-budget-breaches'`,
    );
    assert.equal(rows.length, 1);
    assert.match(String(rows[0]?.['key']), /^budget:key:/);
    assert.match(JSON.stringify(rows[0]?.['value']), /key\.budget/);
  } finally {
    await h.close();
  }
});
