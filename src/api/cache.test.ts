/** Report answers are reused for their time to live, never for live reports, and forgotten on every write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportCache, windowEndMs } from './_cache.js';

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

test('an answer about a window that closed over an hour ago lives until a write when this process is the only writer', async () => {
  const hour = 3_600_000;
  let now = Date.UTC(2026, 11, 2);
  let computed = 0;
  const compute = () => Promise.resolve(`v${++computed}`);
  const single = new ReportCache(1000, () => now, { singleWriter: true });
  const november = windowEndMs(['chargeback', '--period=2026-11', '--json']);
  assert.equal(november, Date.UTC(2026, 11, 1));
  assert.equal(await single.get('nov', false, compute, november), 'v1');
  now += 10 * hour;
  assert.equal(await single.get('nov', false, compute, november), 'v1', 'no time to live for a closed month');
  // A window still open (or closed less than an hour ago) keeps the time to live: the ledger may still grow.
  const recent = now - hour / 2;
  assert.equal(await single.get('recent', false, compute, recent), 'v2');
  now += 1000;
  assert.equal(await single.get('recent', false, compute, recent), 'v3');
  single.clear();
  assert.equal(await single.get('nov', false, compute, november), 'v4', 'a write forgets closed answers too');
  // Where other processes may write (PostgreSQL), every answer keeps the time to live.
  const shared = new ReportCache(1000, () => now);
  assert.equal(await shared.get('nov', false, compute, november), 'v5');
  now += 1000;
  assert.equal(await shared.get('nov', false, compute, november), 'v6');
});

test('the window end is read from --period or --to in either spelling, and is absent otherwise', () => {
  assert.equal(windowEndMs(['recommend', '--period', '2026-12']), Date.UTC(2027, 0, 1));
  assert.equal(windowEndMs(['costs', '--from=2026-11-01', '--to=2026-11-15']), Date.UTC(2026, 10, 15));
  assert.equal(windowEndMs(['costs', '--to', '2026-11-15T06:00:00Z']), Date.UTC(2026, 10, 15, 6));
  assert.equal(windowEndMs(['forecast', '--horizon=30']), null);
  assert.equal(windowEndMs(['chargeback', '--period=last']), null);
});

test('concurrent asks of the same question share one computation', async () => {
  let computed = 0;
  const cache = new ReportCache(60_000);
  let release: () => void = () => undefined;
  const slow = () => new Promise<string>((ok) => (release = () => ok(`v${++computed}`)));
  const a = cache.get('k', false, slow);
  const b = cache.get('k', false, slow);
  release();
  assert.deepEqual(await Promise.all([a, b]), ['v1', 'v1']);
  assert.equal(computed, 1);
});

test('refresh recomputes the recently asked answers a write cleared, and lets old questions go', async () => {
  let now = 0;
  const counts = new Map<string, number>();
  const compute = (k: string) => () => {
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return Promise.resolve(`${k}${counts.get(k)}`);
  };
  const cache = new ReportCache(60_000, () => now, { warmMs: 10_000 });
  await cache.get('old', false, compute('old'));
  now = 8_000;
  await cache.get('new', false, compute('new'));
  assert.equal(await cache.get('live', true, compute('live')), 'live1');
  assert.equal(await cache.refresh(), 0, 'nothing to do while every answer is fresh');
  cache.clear();
  now = 12_000;
  assert.equal(await cache.refresh(), 1, 'only the question asked within warmMs is recomputed');
  assert.equal(counts.get('new'), 2);
  assert.equal(counts.get('old'), 1);
  assert.equal(counts.get('live'), 1, 'live reports are never kept');
  assert.equal(await cache.get('new', false, compute('new')), 'new2', 'the next ask is a hit');
  now = 40_000;
  assert.equal(await cache.get('new', false, compute('new')), 'new2', 'still within its time to live');
  now = 42_000;
  assert.equal(await cache.refresh(), 1, 'an answer half-way to its time to live is recomputed');
  assert.equal(counts.get('new'), 3);
});

test('clearing one command forgets only its answers, whatever their scope', async () => {
  const cache = new ReportCache(60_000);
  const key = (argv: string[], scope: unknown) => JSON.stringify([argv, scope]);
  let n = 0;
  const compute = () => Promise.resolve(`v${++n}`);
  const anomalies = key(['anomalies', '--json', '--from=2026-11-01'], null);
  const scoped = key(['anomalies', '--json'], { teams: ['search'] });
  const chargeback = key(['chargeback', '--json', '--period=2026-11'], null);
  for (const k of [anomalies, scoped, chargeback]) await cache.get(k, false, compute);
  cache.clear(['anomalies']);
  assert.equal(await cache.get(chargeback, false, compute), 'v3', 'kept');
  assert.equal(await cache.get(anomalies, false, compute), 'v4', 'recomputed');
  assert.equal(await cache.get(scoped, false, compute), 'v5', 'recomputed');
});
