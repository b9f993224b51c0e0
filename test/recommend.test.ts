import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatUsd, monthWindow } from '../src/core/index.js';
import {
  loadRecommendInputs,
  recommend,
  recommendDocument,
  replayPtu,
} from '../src/analytics/recommend/index.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { inTempDir, withStore } from './_allocation-fixture.js';
import { seedSavingsOrg } from './_savings-fixture.js';
import { runCli } from './cli.js';
import { ev, reproduce, usd } from './_savings-reproduce.js';

async function withSavingsStore(fn: (store: CostStore, db: string) => Promise<void>) {
  await inTempDir('tally-savings-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedSavingsOrg);
    const store = await openStore({ path: db, readOnly: true });
    try {
      await fn(store, db);
    } finally {
      await store.close();
    }
  });
}

test('recommend finds the oversized PTU, its hourly overage, the idle fine-tune, the nightly batch job, the classifier and the data-zone premium', async () => {
  await withSavingsStore(async (store, db) => {
    const res = recommend(await loadRecommendInputs(store, monthWindow('2026-11')));
    const ids = res.recommendations.map((r) => r.id);
    assert.deepEqual(ids.sort(), [
      'batch:nightly-report/gpt-41',
      'deployment-type:writer/dz-4o',
      'idle-deployment:acct-ft/gpt-4.1-mini',
      'idle-deployment:acct-idle/ptu',
      'model-rightsize:triage/gpt-4o',
      'prompt-caching:assistant/gpt-41',
      'ptu-rightsize:acct-ptu/ptu-41',
      'reservation:purchase:acct-ptu/ptu-41',
    ]);
    const ptu = res.recommendations.find((r) => r.kind === 'ptu-rightsize')!;
    // 19,000 input-equivalent TPM peaks need 6.3 PTU: below the 15 minimum, so pay-as-you-go wins outright.
    assert.equal(ev(ptu).figures['proposed'].ptu, 0);
    assert.deepEqual(ev(ptu).inputs['current'], {
      deployedPtu: 20,
      reservedPtu: 15,
      term: '1-month',
      reservation: 'ptu-res-1m',
    });
    const idle = res.recommendations.find((r) => r.id === 'idle-deployment:acct-ft/gpt-4.1-mini')!;
    // Idle from 11 November: 20 days × 24 h of hosting at $1.496 effective.
    assert.deepEqual(ev(idle).figures['accruedSinceLastRequest'], {
      hours: 480,
      effectiveUsd: '718.08',
      listUsd: '816',
    });
    assert.equal(formatUsd(idle.monthlySavingsNanos), '1092.08');
    // 15 PTU hourly at $0.88 for 720 h = $9,504 in the window, $9,636 per 730-hour month; idle all month.
    const idlePtu = res.recommendations.find((r) => r.id === 'idle-deployment:acct-idle/ptu')!;
    assert.equal(formatUsd(idlePtu.monthlySavingsNanos), '9636.00');
    assert.deepEqual(ev(idlePtu).figures['accruedSinceLastRequest'], {
      hours: 10800,
      effectiveUsd: '9504',
      listUsd: '10800',
    });
    const reservation = res.recommendations.find((r) => r.kind === 'reservation')!;
    assert.equal(reservation.alternativeTo, ptu.id);
    const total = res.recommendations
      .filter((r) => !r.alternativeTo)
      .reduce((s, r) => s + r.monthlySavingsNanos, 0n);
    assert.equal(res.totalMonthlySavingsNanos, total);
    // Two prefixes, each 6 times an hour, 8 hours a day for 30 days: 5 repeats each per hour, none cached.
    const caching = res.recommendations.find((r) => r.kind === 'prompt-caching')!;
    assert.equal(ev(caching).figures['repeatsWithinHour'], 2 * 5 * 8 * 30);
    assert.equal(ev(caching).figures['missedCacheableTokens'], 2 * 5 * 8 * 30 * 1024);
    const model = res.recommendations.find((r) => r.kind === 'model-rightsize')!;
    assert.match(model.caveat ?? '', /quality must be checked/i);
    void db;
  });
});

test('every saving is reproduced to the cent from the inputs and figures in its evidence', async () => {
  await withSavingsStore(async (store) => {
    const res = recommend(await loadRecommendInputs(store, monthWindow('2026-11')));
    const doc = recommendDocument('2026-11', res) as {
      recommendations: { id: string; monthlySavingsUsd: string }[];
    };
    for (const r of res.recommendations) {
      const printed = doc.recommendations.find((x) => x.id === r.id)!.monthlySavingsUsd;
      assert.equal(formatUsd(reproduce(r)), printed, r.id);
    }
  });
});

test('the evidence SQL runs unchanged on the read-only SQL path and gives back the replayed figures', async () => {
  await withSavingsStore(async (store) => {
    const res = recommend(await loadRecommendInputs(store, monthWindow('2026-11')));
    const ptu = ev(res.recommendations.find((r) => r.kind === 'ptu-rightsize')!);
    const minuteSql = ptu.sql.find((s) => s.includes("date_trunc('minute'"))!;
    const minutes = (await store.readOnlySql(minuteSql)).map((r) => ({
      uncached: Number(r['uncached']),
      cached: Number(r['cached']),
      output: Number(r['output']),
    }));
    const p = ptu.inputs['ptu'];
    const payg = ptu.inputs['payg'];
    const again = replayPtu(
      minutes,
      720 * 60,
      {
        inputTpmPerPtu: p.inputTpmPerPtu,
        outputRatio: p.outputRatio,
        inputNanosPerMTok: usd(payg.inputPerMTokUsd),
        cachedNanosPerMTok: usd(payg.cachedPerMTokUsd),
        outputNanosPerMTok: usd(payg.outputPerMTokUsd),
      },
      ptu.figures['replay'].map((o: { ptu: number }) => o.ptu),
    );
    assert.deepEqual(
      again.map((o) => formatUsd(o.spillListNanos, 9)),
      ptu.figures['replay'].map((o: { spillListUsd: string }) => formatUsd(usd(o.spillListUsd), 9)),
    );
    const idle = ev(res.recommendations.find((r) => r.kind === 'idle-deployment')!);
    const [since] = await store.readOnlySql(idle.sql.at(-1)!);
    assert.equal(Number(since!['hours']), idle.figures['accruedSinceLastRequest'].hours);
  });
});

test('tally recommend --json prints the issue-14 contract', async () => {
  await inTempDir('tally-savings-cli-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedSavingsOrg);
    const r = await runCli(['recommend', '--json', '--db', db, '--period', '2026-11']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<{ recommendations: Record<string, unknown>[]; totalMonthlySavingsUsd: string }>();
    assert.match(doc.totalMonthlySavingsUsd, /^\d+\.\d{2}$/);
    for (const rec of doc.recommendations) {
      for (const k of ['id', 'kind', 'scope', 'monthlySavingsUsd', 'confidence', 'evidence', 'action'])
        assert.ok(k in rec, k);
      assert.match(String(rec['monthlySavingsUsd']), /^\d+\.\d{2}$/);
    }
  });
});
