import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plausible } from './_select.js';

test('a refitted forecast that leaves the history far behind, or is not a number, is not plausible', () => {
  const y = [10, 12, 11, 13, 12, 14];
  assert.equal(plausible([13, 14, 15], y), true);
  assert.equal(plausible([20, 50], y), true, 'a trend continuing within ten ranges');
  assert.equal(plausible([55], y), false, 'beyond ten ranges above the highest value');
  assert.equal(plausible([8e8], y), false, 'a diverging fit');
  assert.equal(plausible([-31], y), false);
  assert.equal(plausible([Number.NaN], y), false);
  assert.equal(plausible([Infinity], y), false);
  assert.equal(plausible([5, 5], [5, 5, 5]), true, 'a flat history allows its own value');
});
