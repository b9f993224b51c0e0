/**
 * Deployment type: a PTU deployment mostly serving non-production keys (issue 14). The savings fixture's PTU
 * deployment gets test and staging traffic at twice its production load; the rule prices production on PTU
 * and the rest pay-as-you-go, its saving reproduces to the cent from its evidence, and its SQL runs as printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatUsd, monthWindow } from '../src/core/index.js';
import { loadRecommendInputs, recommend, recommendDocument } from '../src/analytics/recommend/index.js';
import { makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { inTempDir, withStore } from './_allocation-fixture.js';
import { seedSavingsOrg } from './_savings-fixture.js';
import { ev, reproduce } from './_savings-reproduce.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');

/** Test and staging calls on ptu-41 in the evening: 2 × 20 calls an hour, 17:00-23:00, every day. */
async function seedNonProd(store: CostStore): Promise<void> {
  const events: UsageEvent[] = [];
  let n = 0;
  for (let d = 0; d < 30; d++)
    for (let h = 17; h < 23; h++)
      for (let m = 0; m < 60; m += 3)
        for (const environment of ['test', 'staging'])
          events.push(
            makeUsageEvent({
              id: `np${n++}`,
              startTime: T0 + d * 86_400_000 + h * 3_600_000 + m * 60_000,
              model: 'gpt-4.1-2025-04-14',
              team: 'search',
              app: 'rag-eval',
              environment,
              deployment: 'ptu-41',
              upstream: 'acct-ptu',
              region: 'eastus2',
              deploymentType: 'provisioned',
              inputTokens: 20_000,
              cachedInputTokens: 5_000,
              outputTokens: 1_000,
            }),
          );
  await store.appendUsage(events);
}

async function withStoreOf(seed: (s: CostStore) => Promise<void>, fn: (s: CostStore) => Promise<void>) {
  await inTempDir('tally-nonprod-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seed);
    const store = await openStore({ path: db, readOnly: true });
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  });
}

test('a PTU deployment mostly used by test and staging keys gets a deployment-type recommendation with its saving', async () => {
  await withStoreOf(
    async (s) => {
      await seedSavingsOrg(s);
      await seedNonProd(s);
    },
    async (store) => {
      const res = recommend(await loadRecommendInputs(store, monthWindow('2026-11')));
      const r = res.recommendations.find((x) => x.id === 'deployment-type:ptu-non-prod:acct-ptu/ptu-41');
      assert.ok(r, res.recommendations.map((x) => x.id).join(', '));
      const e = ev(r);
      // Production: 8 h × 20 calls; non-production: 6 h × 40 calls of the same size, so 240 / 400 of the load.
      assert.equal(e.figures['nonProdShare'], 0.6);
      assert.deepEqual(e.figures['nonProd'].environments, ['staging', 'test']);
      assert.equal(e.figures['nonProd'].requests, 30 * 6 * 20 * 2);
      assert.equal(e.figures['nonProd'].uncachedInputTokens, 30 * 6 * 20 * 2 * 15_000);
      // It competes with right-sizing the same deployment, so the total counts only one of them.
      assert.equal(r.alternativeTo, 'ptu-rightsize:acct-ptu/ptu-41');
      const counted = res.recommendations.filter((x) => !x.alternativeTo);
      assert.equal(
        res.totalMonthlySavingsNanos,
        counted.reduce((s, x) => s + x.monthlySavingsNanos, 0n),
      );
      const printed = (
        recommendDocument('2026-11', res) as { recommendations: { id: string; monthlySavingsUsd: string }[] }
      ).recommendations.find((x) => x.id === r.id)!.monthlySavingsUsd;
      assert.equal(formatUsd(reproduce(r)), printed);
      assert.ok(r.monthlySavingsNanos > 0n);
      // The evidence SQL runs unchanged through the read-only door and gives back the non-production tokens.
      const [tokens] = await store.readOnlySql(e.sql[3]!);
      assert.equal(Number(tokens!['output']), e.figures['nonProd'].outputTokens);
      const prodMinutes = await store.readOnlySql(e.sql[2]!);
      assert.equal(prodMinutes.length, 30 * 8 * 20);
    },
  );
});

test('a PTU deployment serving production only gets no non-production recommendation', async () => {
  await withStoreOf(seedSavingsOrg, async (store) => {
    const res = recommend(await loadRecommendInputs(store, monthWindow('2026-11')));
    assert.equal(
      res.recommendations.filter((x) => x.id.startsWith('deployment-type:ptu-non-prod')).length,
      0,
    );
  });
});
