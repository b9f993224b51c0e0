import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupPtuSpec } from '../catalog/index.js';
import { conversationsInMonth, estimateScenario, parseScenario, sizePtu, tokenProfile } from './index.js';

const conv = { turns: 6, systemTokens: 400, userTokensPerTurn: 60, assistantTokensPerTurn: 250 };

test('full history resends every earlier turn and window:N keeps only the last N', () => {
  const full = tokenProfile(conv, 'full', 0);
  const w2 = tokenProfile(conv, 'window:2', 0);
  // full: sum over k of 400 + (k-1)*310 + 60
  assert.equal(full.inputTokens, 6 * 460 + 310 * (0 + 1 + 2 + 3 + 4 + 5));
  assert.equal(w2.inputTokens, 6 * 460 + 310 * (0 + 1 + 2 + 2 + 2 + 2));
  assert.equal(full.outputTokens, 6 * 250);
  assert.equal(tokenProfile(conv, 'window:99', 0).inputTokens, full.inputTokens);
});

test('summary history sends the last two turns plus a summary and pays for summarising', () => {
  const s = tokenProfile(conv, 'summary', 100);
  const w2 = tokenProfile(conv, 'window:2', 0);
  // Turns 4..6 carry a 100-token summary; turns 1..3 leave the window once each (3 summarisation calls).
  const summaryCalls = 3 * 310 + 2 * 100;
  assert.equal(s.inputTokens, w2.inputTokens + 3 * 100 + summaryCalls);
  assert.equal(s.outputTokens, 6 * 250 + 3 * 100);
});

test('PTU sizing reproduces the Azure calculator worked example (gpt-5.2 Data Zone: 110, with 50% cache 80)', () => {
  const spec = lookupPtuSpec({ model: 'gpt-5.2', deployment: 'data-zone-provisioned' })!;
  const rpm = 1000;
  assert.equal(sizePtu(rpm * 200 + spec.outputRatio * rpm * 20, spec), 110);
  assert.equal(sizePtu(rpm * 200 * 0.5 + spec.outputRatio * rpm * 20, spec), 80);
  assert.equal(sizePtu(1, spec), spec.minPtu);
});

test('conversations grow geometrically from month 1', () => {
  const s = parseScenario({
    horizonMonths: 3,
    traffic: {
      visitorsPerMonth: 200000,
      interactionRate: 0.05,
      conversationsPerUser: 1.2,
      monthlyGrowth: 0.05,
    },
    conversation: conv,
    options: [{ model: 'gpt-4o-mini', deployment: 'global-standard' }],
  });
  assert.equal(conversationsInMonth(s, 1), 12000);
  assert.ok(Math.abs(conversationsInMonth(s, 3) - 12000 * 1.05 ** 2) < 1e-9);
});

test('response caching removes tokens and prompt caching moves input to the cached price', () => {
  const base = {
    horizonMonths: 1,
    traffic: { visitorsPerMonth: 10000, interactionRate: 1, conversationsPerUser: 1 },
    conversation: conv,
    options: [{ model: 'gpt-4o', deployment: 'global-standard' }],
  };
  const plain = estimateScenario(parseScenario(base)).options[0]!.months[0]!;
  const cached = estimateScenario(parseScenario({ ...base, promptCacheRate: 0.5, responseCacheHitRate: 0.2 }))
    .options[0]!.months[0]!;
  assert.equal(cached.inputTokens, Math.round(plain.inputTokens * 0.8));
  assert.equal(cached.cachedInputTokens, Math.round(cached.inputTokens * 0.5));
  assert.ok(cached.tokenCostNanos < plain.tokenCostNanos);
});

test('a fixed PTU count that cannot carry the peak does not fit and is not recommended', () => {
  const e = estimateScenario(
    parseScenario({
      horizonMonths: 1,
      traffic: {
        visitorsPerMonth: 5_000_000,
        interactionRate: 0.5,
        conversationsPerUser: 2,
        peakToAverage: 5,
      },
      conversation: conv,
      options: [
        { model: 'gpt-4o', deployment: 'provisioned', ptu: 15, reservation: '1-year' },
        { model: 'gpt-4o', deployment: 'global-standard' },
      ],
    }),
  );
  assert.equal(e.options[0]!.fits, false);
  assert.equal(e.cheapest?.deployment, 'global-standard');
});

test('an option whose largest request exceeds the model context window does not fit', () => {
  const e = estimateScenario(
    parseScenario({
      horizonMonths: 1,
      traffic: { visitorsPerMonth: 1000, interactionRate: 1, conversationsPerUser: 1 },
      conversation: { turns: 30, systemTokens: 500, userTokensPerTurn: 150, assistantTokensPerTurn: 300 },
      options: [
        { model: 'gpt-3.5-turbo', deployment: 'standard', provider: 'openai' },
        { model: 'gpt-4o', deployment: 'global-standard' },
      ],
    }),
  );
  // Turn 30 sends 500 + 29 x 450 + 150 = 13,700 tokens and gets 300 back: 14,000 fits in 16,385.
  assert.equal(e.options[0]!.fits, true);
  const long = estimateScenario(
    parseScenario({
      horizonMonths: 1,
      traffic: { visitorsPerMonth: 1000, interactionRate: 1, conversationsPerUser: 1 },
      conversation: { turns: 40, systemTokens: 500, userTokensPerTurn: 150, assistantTokensPerTurn: 300 },
      options: [
        { model: 'gpt-3.5-turbo', deployment: 'standard', provider: 'openai' },
        { model: 'gpt-4o', deployment: 'global-standard' },
      ],
    }),
  );
  // Turn 40: 500 + 39 x 450 + 150 + 300 = 18,500 > 16,385.
  assert.equal(long.options[0]!.fits, false);
  assert.match(long.options[0]!.notFitReason!, /context window/);
  assert.equal(long.cheapest?.model, 'gpt-4o');
});
