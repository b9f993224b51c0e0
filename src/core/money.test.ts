import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDecimalText,
  exactDecimalText,
  formatUsd,
  nanosToDecimalString,
  parseUsd,
  scaleNanos,
  splitNanos,
  sumNanos,
  tokenCost,
} from './money.js';

test('parseUsd reads decimals, exponents and thousands separators exactly', () => {
  assert.equal(parseUsd('0.0000025'), 2500n);
  assert.equal(parseUsd('1,234.5'), 1_234_500_000_000n);
  assert.equal(parseUsd('1.5e-7'), 150n);
  assert.equal(parseUsd('-2'), -2_000_000_000n);
  assert.equal(parseUsd(0.1), 100_000_000n);
  assert.equal(parseUsd('0.0000000005'), 1n, 'half a nano rounds away from zero');
  assert.throws(() => parseUsd('abc'), RangeError);
  assert.throws(() => parseUsd(''), RangeError);
});

test('ten million tiny additions stay exact where floats drift', () => {
  let float = 0;
  let exact = 0n;
  const price = parseUsd('0.0000001');
  for (let i = 0; i < 1_000_000; i++) {
    float += 0.0000001;
    exact += price;
  }
  assert.notEqual(float, 0.1);
  assert.equal(exact, parseUsd('0.1'));
});

test('tokenCost prices per million tokens and rounds once per line', () => {
  // gpt-4o-mini input at $0.15 per million tokens
  assert.equal(tokenCost(1_000_000, parseUsd('0.15')), parseUsd('0.15'));
  assert.equal(tokenCost(7, parseUsd('0.15')), 1050n);
  assert.equal(tokenCost(3, parseUsd('0.0000005')), 0n);
});

test('splitNanos never creates or loses a nano', () => {
  const parts = splitNanos(1000n, [1n, 1n, 1n]);
  assert.equal(sumNanos(parts), 1000n);
  assert.deepEqual(parts, [334n, 333n, 333n]);
  assert.deepEqual(splitNanos(-10n, [0n, 0n]), [-5n, -5n]);
  assert.equal(sumNanos(splitNanos(999_999_999_999n, [7n, 13n, 0n, 101n])), 999_999_999_999n);
});

test('formatting rounds to cents and prints exact decimals', () => {
  assert.equal(formatUsd(1_234_567_890n), '1.23');
  assert.equal(formatUsd(-5_000_000n), '-0.01');
  assert.equal(nanosToDecimalString(2500n), '0.0000025');
  assert.equal(scaleNanos(1_000_000_000n, '0.85'), 850_000_000n);
});

test('a stored decimal prints exactly as stored, finer than a nano and without float noise', () => {
  assert.equal(exactDecimalText('16736.0000000006'), '16736.0000000006');
  assert.equal(exactDecimalText('2.5000000000'), '2.5');
  assert.equal(exactDecimalText('0.0000000000'), '0');
  assert.equal(exactDecimalText('-0.1000'), '-0.1');
  assert.equal(exactDecimalText('-0.0000'), '0');
  assert.equal(exactDecimalText('007.10'), '7.1');
  assert.throws(() => exactDecimalText('1e-7'), RangeError);
});

test('decimals add exactly at any scale, past a float’s digits', () => {
  assert.equal(addDecimalText('16736.0000000006', '0.0000000004'), '16736.000000001');
  assert.equal(addDecimalText('0.1', '0.2'), '0.3');
  assert.equal(addDecimalText('-1.25', '1.25'), '0');
  assert.equal(addDecimalText('123456789012345678.9', '0.1'), '123456789012345679');
});
