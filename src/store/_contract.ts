/**
 * The backend-neutral contract every CostStore must satisfy. `contract.test.ts` runs it against DuckDB;
 * the ClickHouse backend will run the same function.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUsageEvent } from './usage-event.js';
import type { CostStore } from './store.js';
import { runReportContract } from './_contract-reports.js';
import { runIngestContract } from './_contract-ingest.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

/**
 * Registers the contract tests for one backend (every named operation: these and _contract-reports.ts).
 * `open` must return a fresh, empty, migrated store; a PostgreSQL backend passes a factory for a new schema.
 */
export function runStoreContract(backend: string, open: () => Promise<CostStore>): void {
  runReportContract(backend, open);
  const withStore = async (fn: (s: CostStore) => Promise<void>) => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };
  runIngestContract(backend, withStore);

  test(`${backend}: appending the same event twice stores it once`, () =>
    withStore(async (s) => {
      const e = makeUsageEvent({ id: 'a', startTime: T0, model: 'gpt-4o', costNanos: 5n });
      assert.equal(await s.appendUsage([e, e]), 1);
      assert.equal(await s.appendUsage([e]), 0);
      assert.equal(await s.countUsage(new Date(T0), new Date(T0 + 1)), 1);
    }));

  test(`${backend}: usage aggregates are exact and grouped by the requested dimensions`, () =>
    withStore(async (s) => {
      const events = [];
      // 3,000 events at 1/3 of a micro-dollar each would drift as floats; nanos stay exact.
      for (let i = 0; i < 3000; i++)
        events.push(
          makeUsageEvent({
            id: `e${i}`,
            startTime: T0 + (i % 3) * DAY + i,
            model: i % 2 ? 'gpt-4o-mini' : 'gpt-4o',
            team: i % 3 === 0 ? 'search' : 'support',
            inputTokens: 100,
            cachedInputTokens: 20,
            outputTokens: 7,
            costNanos: 333n,
            listCostNanos: 400n,
          }),
        );
      await s.appendUsage(events);
      const byTeam = await s.aggregateUsage({ from: new Date(T0), to: new Date(T0 + 3 * DAY), by: ['team'] });
      const total = byTeam.reduce((a, r) => a + r.costNanos, 0n);
      assert.equal(total, 333n * 3000n);
      const search = byTeam.find((r) => r.dims['team'] === 'search');
      assert.equal(search?.requests, 1000);
      assert.equal(search?.inputTokens, 100_000);
      assert.equal(search?.cachedInputTokens, 20_000);
      assert.equal(search?.listCostNanos, 400_000n);
      const byDay = await s.aggregateUsage({
        from: new Date(T0),
        to: new Date(T0 + 3 * DAY),
        by: ['day', 'model'],
      });
      assert.equal(byDay.length, 6);
      assert.ok(byDay.every((r) => /^2026-03-0[123]$/.test(r.dims['day'] ?? '')));
    }));

  test(`${backend}: windows are half-open and filters are bound parameters, not SQL`, () =>
    withStore(async (s) => {
      await s.appendUsage([
        makeUsageEvent({ id: 'in', startTime: T0, model: 'm', team: "x' OR '1'='1" }),
        makeUsageEvent({ id: 'edge', startTime: T0 + DAY, model: 'm', team: 'y' }),
      ]);
      assert.equal(await s.countUsage(new Date(T0), new Date(T0 + DAY)), 1);
      const none = await s.aggregateUsage({
        from: new Date(T0),
        to: new Date(T0 + 2 * DAY),
        by: ['team'],
        where: { team: "' OR 1=1 --" },
      });
      assert.equal(none.length, 0);
      const tricky = await s.aggregateUsage({
        from: new Date(T0),
        to: new Date(T0 + 2 * DAY),
        by: [],
        where: { team: "x' OR '1'='1" },
      });
      assert.equal(tricky[0]?.requests, 1);
    }));

  test(`${backend}: keys are found by hash and updated in place`, () =>
    withStore(async (s) => {
      await s.insertKey({
        id: 'k1',
        keyHash: 'h1',
        keyPrefix: 'tk-ab',
        team: 'support',
        app: 'bot',
        environment: 'prod',
        costCenter: 'cc-1',
        tags: { owner: 'ana' },
        config: { tpm: 1000 },
        status: 'active',
        createdAt: new Date(T0),
        revokedAt: null,
        replacedBy: null,
      });
      const k = await s.findKeyByHash('h1');
      assert.equal(k?.id, 'k1');
      assert.deepEqual(k?.config, { tpm: 1000 });
      assert.deepEqual(k?.tags, { owner: 'ana' });
      await s.updateKey('k1', { status: 'revoked', revokedAt: new Date(T0 + 1) });
      assert.equal((await s.findKeyById('k1'))?.status, 'revoked');
      assert.equal(await s.findKeyByHash('nope'), null);
      assert.equal((await s.listKeys()).length, 1);
    }));

  test(`${backend}: metadata round-trips JSON values`, () =>
    withStore(async (s) => {
      assert.equal(await s.getMeta('ns', 'k'), null);
      await s.setMeta('ns', 'k', { a: [1, 2], b: 'x' });
      await s.setMeta('ns', 'k', { a: [3] });
      assert.deepEqual(await s.getMeta('ns', 'k'), { a: [3] });
    }));

  test(`${backend}: a failed transaction leaves nothing behind`, () =>
    withStore(async (s) => {
      await assert.rejects(
        s.transaction(async (tx) => {
          await tx.appendUsage([makeUsageEvent({ id: 'tx1', startTime: T0, model: 'm' })]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await s.countUsage(new Date(0), new Date(T0 + DAY)), 0);
    }));

  test(`${backend}: user SQL runs reads and refuses writes`, () =>
    withStore(async (s) => {
      assert.deepEqual(await s.readOnlySql('SELECT 42 AS x'), [{ x: 42 }]);
      await assert.rejects(s.readOnlySql('DROP TABLE usage_events'), /only runs reads/);
      await assert.rejects(s.readOnlySql("INSERT INTO kv VALUES ('a','b',NULL,now())"), /only runs reads/);
      await assert.rejects(s.readOnlySql('SELECT 1; DROP TABLE kv'), /exactly one statement/);
    }));
}
