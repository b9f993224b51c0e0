import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from './_prng.js';
import { decimal, scale, tokensCost } from './_money.js';
import { tokenMeterName } from './_export.js';
import { planIncidents } from './_incidents.js';

test('the PRNG repeats its stream for a seed and differs across seeds', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const xs = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(
    Array.from({ length: 100 }, () => b.next()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 100 }, () => c.next()),
    xs,
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('Poisson and log-normal draws have the means they are asked for', () => {
  const r = new Prng(7);
  const n = 20_000;
  for (const lambda of [3, 500]) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.poisson(lambda);
    assert.ok(Math.abs(sum / n - lambda) < lambda * 0.03, `poisson(${lambda}) mean ${sum / n}`);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r.lognormal(1500, 0.5);
  assert.ok(Math.abs(sum / n - 1500) < 45, `lognormal mean ${sum / n}`);
});

test('export amounts are exact decimals at 1e-10 USD', () => {
  // 3,217 tokens at $0.075 per 1M = $0.000241275 exactly.
  assert.equal(decimal(tokensCost(3217n, 75_000_000n)), '0.000241275');
  // 1 token at $0.025 per 1M = $0.000000025.
  assert.equal(decimal(tokensCost(1n, 25_000_000n)), '0.000000025');
  // 12 % off $0.000241275 = $0.000212322 (exact).
  assert.equal(decimal(scale(tokensCost(3217n, 75_000_000n), 88n, 100n)), '0.000212322');
  assert.equal(decimal(0n), '0');
  assert.equal(decimal(-15n, 1), '-1.5');
});

test('token meters are named the way Azure names them', () => {
  assert.equal(
    tokenMeterName('gpt-4o-mini-2024-07-18', 'gpt-4o-mini', 'global-standard', 'input'),
    'gpt-4o-mini-0718-Inp-glbl Tokens',
  );
  assert.equal(
    tokenMeterName('gpt-4o-mini-2024-07-18', 'gpt-4o-mini', 'global-standard', 'cached-input'),
    'gpt-4o-mini-0718-cchd-Inp-glbl Tokens',
  );
  assert.equal(
    tokenMeterName('gpt-4o-2024-08-06', 'gpt-4o', 'data-zone', 'output'),
    'gpt-4o-0806-Outp-DZone Tokens',
  );
  assert.equal(
    tokenMeterName('gpt-4o-mini-2024-07-18', 'gpt-4o-mini', 'batch', 'input'),
    'gpt-4o-mini-0718-Batch-Inp-glbl Tokens',
  );
  assert.equal(
    tokenMeterName('text-embedding-3-small', 'text-embedding-3-small', 'global-standard', 'input'),
    'text-embedding-3-small-glbl Tokens',
  );
});

test('every incident window lies inside the period, however short', () => {
  const start = Date.UTC(2026, 8, 1);
  for (const days of [1, 2, 3, 7, 30, 90, 365]) {
    const plans = planIncidents(start, days);
    assert.equal(plans.length, 4);
    for (const p of plans) {
      assert.ok(p.startMs < p.endMs, `${p.kind} at ${days} days`);
      assert.ok(p.startMs >= start && p.endMs <= start + days * 86_400_000, `${p.kind} inside ${days} days`);
    }
  }
});
