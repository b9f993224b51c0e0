import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USAGE_COLUMNS, openDuckDBStore, type UsageEvent } from '../store/index.js';
import { decodeEvent, encodeEvent } from './_wal.js';

const T0 = Date.UTC(2026, 4, 1);

/** Events whose every field differs from its neighbour's and from the defaults (one null per nullable). */
function events(): UsageEvent[] {
  return [0, 1, 2].map((i) => ({
    id: `ev-${i}`,
    startTime: T0 + i * 1000,
    durationMs: 100 + i,
    ttftMs: i === 2 ? null : 7 + i,
    keyId: i === 2 ? null : `k${i}`,
    team: `team-${i}`,
    app: i === 2 ? null : `app-${i}`,
    environment: `env-${i}`,
    costCenter: `cc-${i}`,
    endUser: `user-${i} \u00e9`,
    tags: { t: `v${i}`, quote: '"\\' },
    provider: `prov-${i}`,
    upstream: `up-${i}`,
    deployment: `dep-${i}`,
    requestModel: `rm-${i}`,
    model: `m-${i}`,
    deploymentType: i ? 'batch' : 'regional',
    region: i === 2 ? null : `r${i}`,
    operation: `op-${i}`,
    streamed: i === 1,
    inputTokens: 1000 * (i + 1),
    cachedInputTokens: 10 * (i + 1),
    outputTokens: 20 * (i + 1),
    reasoningTokens: 3 * (i + 1),
    usageSource: i ? 'partial' : 'estimated',
    httpStatus: 200 + i,
    errorClass: i === 2 ? null : `err-${i}`,
    cacheOutcome: i ? 'bypass' : 'hit-semantic',
    attempts: 1 + i,
    costNanos: 9_007_199_254_740_993n * BigInt(i + 1),
    listCostNanos: 11n + BigInt(i),
    savedCostNanos: 13n + BigInt(i),
    priceVersion: i === 2 ? null : `pv-${i}`,
  }));
}

test('the usage column table names every UsageEvent field once, with distinct snake_case columns', () => {
  const fields = Object.keys(events()[0]!).sort();
  assert.deepEqual(USAGE_COLUMNS.map((c) => c.field).sort(), fields);
  assert.equal(new Set(USAGE_COLUMNS.map((c) => c.name)).size, USAGE_COLUMNS.length);
  for (const c of USAGE_COLUMNS) assert.match(c.name, /^[a-z][a-z0-9_]*$/);
});

test('the WAL line carries the column table order and decodes back to the same event', () => {
  for (const e of events()) {
    const line = encodeEvent(e);
    assert.deepEqual(
      Object.keys(JSON.parse(line) as object),
      USAGE_COLUMNS.map((c) => c.field),
    );
    assert.deepEqual(decodeEvent(line), e);
  }
});

test('every column survives WAL file -> store loader and appender -> store alike, and aggregates match', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-cols-'));
  const fromWal = await openDuckDBStore({ path: ':memory:' });
  const appended = await openDuckDBStore({ path: ':memory:' });
  try {
    const evs = events();
    const wal = join(dir, 'wal-00000001.jsonl');
    writeFileSync(wal, evs.map(encodeEvent).join('\n') + '\n');
    assert.equal(await fromWal.appendUsageFromWal([wal]), evs.length);
    assert.equal(await appended.appendUsage(evs), evs.length);
    const w = { from: new Date(T0), to: new Date(T0 + 60_000), limit: 100 };
    assert.deepEqual(await fromWal.readUsage(w), evs);
    assert.deepEqual(await appended.readUsage(w), evs);
    const q = { from: w.from, to: w.to, by: ['team', 'cache_outcome'] as const };
    const agg = await fromWal.aggregateUsage({ ...q, by: [...q.by] });
    assert.deepEqual(agg, await appended.aggregateUsage({ ...q, by: [...q.by] }));
    assert.equal(
      agg.reduce((a, r) => a + r.costNanos, 0n),
      evs.reduce((a, e) => a + e.costNanos, 0n),
    );
  } finally {
    await fromWal.close();
    await appended.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store created before a usage column existed gains it, nullable, when it is opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-cols-'));
  const path = join(dir, 'db.duckdb');
  try {
    const old = await openDuckDBStore({ path });
    await old.exec('ALTER TABLE usage_events DROP COLUMN price_version');
    await old.close();
    const reopened = await openDuckDBStore({ path });
    const cols = await reopened.query(
      "SELECT column_name AS c, is_nullable AS n FROM information_schema.columns WHERE table_name = 'usage_events' AND column_name = 'price_version'",
    );
    assert.deepEqual(cols, [{ c: 'price_version', n: 'YES' }]);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
