/** Report answers are reused for their time to live, never for live reports, and forgotten on every write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportCache } from './_cache.js';

test('an answer is reused until its time to live passes', async () => {
  let now = 0;
  let computed = 0;
  const cache = new ReportCache(1000, () => now);
  const compute = () => Promise.resolve(`v${++computed}`);
  assert.equal(await cache.get('k', false, compute), 'v1');
  now = 999;
  assert.equal(await cache.get('k', false, compute), 'v1');
  now = 1000;
  assert.equal(await cache.get('k', false, compute), 'v2');
  assert.equal(await cache.get('k', true, compute), 'v3', 'live reports are always computed');
});

test('a write forgets every answer, including one computed while the write happened', async () => {
  let computed = 0;
  const cache = new ReportCache(60_000);
  let release: () => void = () => undefined;
  const slow = cache.get(
    'k',
    false,
    () => new Promise<string>((ok) => (release = () => ok(`v${++computed}`))),
  );
  cache.clear();
  release();
  assert.equal(await slow, 'v1');
  assert.equal(await cache.get('k', false, () => Promise.resolve(`v${++computed}`)), 'v2');
  cache.clear();
  assert.equal(await cache.get('k', false, () => Promise.resolve(`v${++computed}`)), 'v3');
});
