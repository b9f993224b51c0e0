import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ptuCandidates, replayPtu } from './_ptu-replay.js';

// gpt-4.1 on Global: 3,000 input TPM per PTU, output weighs 4; $2 / $0.50 / $8 per 1M tokens.
const SPEC = {
  inputTpmPerPtu: 3000,
  outputRatio: 4,
  inputNanosPerMTok: 2_000_000_000n,
  cachedNanosPerMTok: 500_000_000n,
  outputNanosPerMTok: 8_000_000_000n,
};

test('a minute above capacity spills its excess share to pay-as-you-go and the rest is served', () => {
  // 60,000 uncached + 4 × 10,000 output = 100,000 input-equivalent tokens in one minute; 20 PTU hold 60,000.
  const [o] = replayPtu([{ uncached: 60_000, cached: 0, output: 10_000 }], 1, SPEC, [20]);
  assert.equal(o!.spillShare, 0.4);
  // Minute cost $0.12 + $0.08 = $0.20; 40% of it spills.
  assert.equal(o!.spillListNanos, 80_000_000n);
  assert.equal(o!.utilisation, 1);
  assert.equal(o!.spillMinutes, 1);
});

test('zero PTU bills every token pay-as-you-go, cached input included', () => {
  const [o] = replayPtu([{ uncached: 1_000_000, cached: 1_000_000, output: 0 }], 60, SPEC, [0]);
  assert.equal(o!.spillListNanos, 2_500_000_000n);
  assert.equal(o!.spillShare, 1);
});

test('utilisation counts idle minutes of the window, so a short burst on a big deployment reads low', () => {
  const [o] = replayPtu([{ uncached: 30_000, cached: 0, output: 0 }], 10, SPEC, [10]);
  assert.equal(o!.utilisation, 0.1);
  assert.equal(o!.spillListNanos, 0n);
});

test('candidates are zero and the minimum upwards in steps, reaching at least the size asked for', () => {
  assert.deepEqual(ptuCandidates(15, 5, 31), [0, 15, 20, 25, 30, 35]);
  assert.deepEqual(ptuCandidates(15, 5, 3), [0, 15]);
});
