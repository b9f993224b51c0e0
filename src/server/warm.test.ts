/** The worker keeps recently asked report answers warm after writes, one piece of work at a time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReportCache } from '../api/index.js';
import { keepReportsWarm } from './_warm.js';

test('soon after a write the questions asked recently are recomputed, so the next ask is a hit', async () => {
  const cache = new ReportCache(60_000);
  let computed = 0;
  const compute = () => Promise.resolve(`v${++computed}`);
  const warm = keepReportsWarm(cache, { everyMs: 60_000, afterWriteMs: 10 });
  try {
    assert.equal(await cache.get('k', false, compute), 'v1');
    cache.clear();
    cache.clear(); // writes in a burst: one refresh
    for (let i = 0; i < 100 && computed < 2; i++) await sleep(10);
    assert.equal(computed, 2);
    assert.equal(await cache.get('k', false, compute), 'v2', 'answered from the refreshed cache');
  } finally {
    await warm.stop();
  }
});

test('seeds run after one another in the background, and stop waits for the running one', async () => {
  const cache = new ReportCache(60_000);
  const warm = keepReportsWarm(cache, { everyMs: 60_000, afterWriteMs: 10 });
  const order: string[] = [];
  let started = false;
  warm.seed(async () => {
    started = true;
    await sleep(20);
    order.push('a');
  });
  warm.seed(() => {
    order.push('b');
    return Promise.resolve();
  });
  warm.seed(() => {
    order.push('c');
    return Promise.resolve();
  });
  while (!started) await sleep(1);
  assert.equal(order.length, 0, 'b waits for a');
  await sleep(40);
  assert.deepEqual(order, ['a', 'b', 'c']);
  warm.seed(async () => {
    await sleep(20);
    order.push('d');
  });
  await sleep(5);
  await warm.stop();
  assert.deepEqual(order, ['a', 'b', 'c', 'd'], 'stop waited for the running seed');
});
