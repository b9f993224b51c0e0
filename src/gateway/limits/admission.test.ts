import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUsageEvent } from '../../ledger/index.js';
import { openStore } from '../../store/index.js';
import { configSchema, TallyError } from '../../core/index.js';
import {
  admitRequest,
  buildLimitChecks,
  MemoryLimitStore,
  seedLimitsFromStore,
  windowCounterId,
  type LimitsConfig,
} from './index.js';

const NOW = Date.UTC(2026, 10, 28, 15, 30);

function limitsOf(raw: unknown): LimitsConfig {
  const cfg = configSchema.parse({ version: 1, gateway: { limits: raw } });
  const l = cfg.gateway?.limits;
  if (!l) throw new Error('no limits');
  return l;
}

const subject = (keyConfig: Record<string, unknown>) => ({ keyId: 'k1', team: 'ml', app: 'bot', keyConfig });

test('checks come from the key record and from the team and app sections', () => {
  const cfg = limitsOf({
    teams: { ml: { tpm: 5000 } },
    apps: { bot: { budget: { usd: '2.50', period: 'week', hard: false } } },
  });
  const checks = buildLimitChecks(
    cfg,
    subject({ tpm: 100, budget: { usd: 1, period: 'day' } }),
    { tokens: 50n, costNanos: 7n },
    NOW,
  );
  assert.deepEqual(
    checks.map((c) => [c.rule, c.kind, c.limit, c.amount, c.hard]),
    [
      ['key.tpm', 'rate', 100n, 50n, true],
      ['key.budget', 'budget', 1_000_000_000n, 7n, true],
      ['gateway.limits.teams.ml.tpm', 'rate', 5000n, 50n, true],
      ['gateway.limits.apps.bot.budget', 'budget', 2_500_000_000n, 7n, false],
    ],
  );
  // The day budget resets at the next UTC midnight; the week budget on Monday (2026-11-30).
  assert.equal(checks[1]?.resetAt, Date.UTC(2026, 10, 29));
  assert.equal(checks[3]?.resetAt, Date.UTC(2026, 10, 30));
});

test('an unreadable key limit config refuses rather than lifting the limit', () => {
  assert.throws(
    () => buildLimitChecks(undefined, subject({ tpm: 'lots' }), { tokens: 1n, costNanos: 1n }, NOW),
    /not readable/,
  );
});

test('a rate refusal is a 429 with retry-after and remaining-token headers naming the rule', async () => {
  const store = new MemoryLimitStore();
  const s = subject({ tpm: 100 });
  const ok = await admitRequest(store, undefined, 'a', s, { tokens: 70n, costNanos: 0n }, NOW);
  assert.ok(ok.ok);
  assert.equal(ok.headers['x-ratelimit-remaining-tokens'], '30');
  const no = await admitRequest(store, undefined, 'b', s, { tokens: 70n, costNanos: 0n }, NOW);
  assert.equal(no.ok, false);
  if (no.ok) return;
  assert.equal(no.error.httpStatus, 429);
  assert.equal(no.error.details['rule'], 'key.tpm');
  assert.equal(no.headers['retry-after'], '24');
  assert.equal(no.headers['x-ratelimit-remaining-tokens'], '30');
});

test('quota and budget refusals are 403s with distinct codes, once the window is used up', async () => {
  const store = new MemoryLimitStore();
  const qs = subject({ quota: { tokens: 10, period: 'hour' } });
  // A worst case that does not fit in what is left is refused, one that exactly fits is admitted.
  assert.equal(
    (await admitRequest(store, undefined, 'q0', qs, { tokens: 11n, costNanos: 0n }, NOW)).ok,
    false,
  );
  assert.ok((await admitRequest(store, undefined, 'q1', qs, { tokens: 10n, costNanos: 0n }, NOW)).ok);
  const q = await admitRequest(store, undefined, 'q2', qs, { tokens: 1n, costNanos: 0n }, NOW);
  assert.ok(!q.ok && q.error.code === 'quota_exceeded' && q.error.httpStatus === 403);
  assert.ok(!q.ok && q.headers['retry-after'] === String(30 * 60));
  const bs = subject({ budget: { usd: '0.001' } });
  assert.ok((await admitRequest(store, undefined, 'b1', bs, { tokens: 1n, costNanos: 1_000_000n }, NOW)).ok);
  const b = await admitRequest(store, undefined, 'b2', bs, { tokens: 1n, costNanos: 1n }, NOW);
  assert.ok(!b.ok && b.error.code === 'budget_exceeded' && b.error.httpStatus === 403);
  assert.ok(!b.ok && /key\.budget/.test(b.error.message));
});

test('a restart continues budgets and quotas from the spend already in the store', async () => {
  const db = await openStore({ path: ':memory:' });
  try {
    await db.appendUsage([
      makeUsageEvent({
        id: 'e1',
        startTime: NOW - 60_000,
        model: 'm',
        keyId: 'k1',
        team: 'ml',
        app: 'bot',
        inputTokens: 100,
        outputTokens: 50,
        costNanos: 400_000_000n,
      }),
      // Yesterday: counts for the week and month, not the day.
      makeUsageEvent({
        id: 'e2',
        startTime: NOW - 86_400_000,
        model: 'm',
        keyId: 'k1',
        team: 'ml',
        app: 'bot',
        inputTokens: 10,
        outputTokens: 0,
        costNanos: 9n,
      }),
      // A cache hit used no upstream tokens.
      makeUsageEvent({
        id: 'e3',
        startTime: NOW - 1000,
        model: 'm',
        keyId: 'k1',
        team: 'ml',
        inputTokens: 100,
        cacheOutcome: 'hit-exact',
      }),
      // Last month: ignored.
      makeUsageEvent({ id: 'e4', startTime: Date.UTC(2026, 9, 30), model: 'm', keyId: 'k1', costNanos: 5n }),
    ]);
    const limits = new MemoryLimitStore();
    await seedLimitsFromStore(db, limits, NOW);
    const day = windowCounterId('budget', 'key', 'k1', 'day', NOW).id;
    const week = windowCounterId('budget', 'team', 'ml', 'week', NOW).id;
    const quota = windowCounterId('quota', 'key', 'k1', 'day', NOW).id;
    assert.equal((await limits.peek(day, 'budget', 0n, NOW))?.used, 400_000_000n);
    assert.equal((await limits.peek(week, 'budget', 0n, NOW))?.used, 400_000_009n);
    assert.equal((await limits.peek(quota, 'quota', 0n, NOW))?.used, 150n);
    const r = await admitRequest(
      limits,
      undefined,
      'x',
      subject({ budget: { usd: 0.4, period: 'day' } }),
      { tokens: 1n, costNanos: 100_000_001n },
      NOW,
    );
    assert.equal(r.ok, false);
  } finally {
    await db.close();
  }
});

test('an unreachable limits store refuses hard budgets with 503 and lets TPM-only and soft limits through, marked degraded', async () => {
  const down = new MemoryLimitStore();
  down.reserve = () => Promise.reject(new TallyError('unavailable', 'redis unreachable (test)'));
  const worst = { tokens: 50n, costNanos: 7n };
  const hard = await admitRequest(
    down,
    undefined,
    'r1',
    subject({ tpm: 100, budget: { usd: 1, period: 'day' } }),
    worst,
    NOW,
  );
  assert.equal(hard.ok, false);
  assert.ok(!hard.ok);
  assert.equal(hard.error.code, 'unavailable');
  assert.equal(hard.error.httpStatus, 503);
  assert.match(hard.error.message, /hard budget \(rule key\.budget\)/);
  assert.equal(hard.headers['retry-after'], '1');
  const quota = await admitRequest(
    down,
    undefined,
    'r2',
    subject({ quota: { tokens: 10, period: 'day' } }),
    worst,
    NOW,
  );
  assert.equal(quota.ok, false);
  for (const keyConfig of [{ tpm: 100 }, { budget: { usd: 1, period: 'day', hard: false } }]) {
    const r = await admitRequest(down, undefined, 'r3', subject(keyConfig), worst, NOW);
    assert.ok(r.ok);
    assert.equal(r.reservation, null);
    assert.equal(r.headers['x-tally-limits'], 'degraded');
  }
  // Other failures are not an outage: they propagate.
  down.reserve = () => Promise.reject(new TallyError('internal', 'bug'));
  await assert.rejects(admitRequest(down, undefined, 'r4', subject({ tpm: 100 }), worst, NOW), /bug/);
});
