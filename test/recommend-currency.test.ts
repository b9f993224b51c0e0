/**
 * Recommendations and the assistant's tools say the currency of every amount and never add two (ADR 0045). The
 * savings organisation's idle fine-tuned deployment is billed in EUR by its own account, beside USD charges:
 * recommend converts its hosting to USD at the day's rate (the catalog's currency), refuses without one, and
 * the MCP tools pass each document's currency on to the assistant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { formatUsd, monthWindow, type ExchangeRate } from '../src/core/index.js';
import { loadRecommendInputs, recommend, recommendDocument } from '../src/analytics/recommend/index.js';
import { callTool, type ToolDeps } from '../src/mcp/index.js';
import { main } from '../src/cli/index.js';
import { duckdbSql, openStore, type CostStore } from '../src/store/index.js';
import { inTempDir, withStore } from './_allocation-fixture.js';
import { seedSavingsOrg } from './_savings-fixture.js';
import { ev } from './_savings-reproduce.js';

const EUR_USD: ExchangeRate[] = [
  { day: '2026-10-01', from: 'EUR', to: 'USD', rate: '1.25', source: 'rates.csv' },
];
const IDLE_FT = 'idle-deployment:acct-ft/gpt-4.1-mini';

async function withEurHosting(fn: (store: CostStore, dir: string, db: string) => Promise<void>) {
  await inTempDir('tally-rec-currency-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, async (s) => {
      await seedSavingsOrg(s);
      // The fine-tuned deployment's account bills in EUR: same figures, another currency.
      await duckdbSql(s).exec(
        `UPDATE cost_rows SET "BillingCurrency" = 'EUR' WHERE "ResourceName" = 'acct-ft'`,
      );
    });
    const store = await openStore({ path: db, readOnly: true });
    try {
      await fn(store, dir, db);
    } finally {
      await store.close();
    }
  });
}

/** Runs the CLI in-process on `store` with `config`, collecting what it prints. */
async function runCli(store: CostStore, config: string, argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--config', config], {
    store,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

test('recommend converts hosting billed in EUR to USD at the day rate and never adds it to USD as it is', async () => {
  await withEurHosting(async (store) => {
    const w = monthWindow('2026-11');
    await assert.rejects(loadRecommendInputs(store, w), /no exchange rate EUR→USD on or before 2026-11-/);
    const inputs = await loadRecommendInputs(store, w, EUR_USD);
    const res = recommend(inputs);
    const idle = res.recommendations.find((r) => r.id === IDLE_FT)!;
    // The USD-billed store says 480 h, $718.08 effective, $816 list and $1,092.08 a month: here ×1.25 exactly.
    assert.deepEqual(ev(idle).figures['accruedSinceLastRequest'], {
      hours: 480,
      effectiveUsd: '897.6',
      listUsd: '1020',
    });
    assert.equal(formatUsd(idle.monthlySavingsNanos), '1365.10');
    const doc = recommendDocument('2026-11', res, inputs.exchangeRates);
    assert.equal(doc['currency'], 'USD');
    assert.deepEqual(
      (doc['exchangeRates'] as { from: string; to: string; rate: string }[]).map((r) => [
        r.from,
        r.to,
        r.rate,
      ])[0],
      ['EUR', 'USD', '1.25'],
    );
    // The evidence SQL of a split window returns each currency's own sums (pasteable, never one mixed total).
    const [since] = ev(idle).sql.slice(-1);
    const rows = await store.readOnlySql(since!);
    assert.deepEqual([...new Set(rows.map((r) => r['currency']))], ['EUR']);
  });
});

test('an all-USD window keeps one total per group in its evidence SQL and an empty rate list', async () => {
  await inTempDir('tally-rec-usd-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedSavingsOrg);
    const store = await openStore({ path: db, readOnly: true });
    try {
      const inputs = await loadRecommendInputs(store, monthWindow('2026-11'), EUR_USD);
      assert.deepEqual(inputs.exchangeRates, []);
      assert.doesNotMatch(inputs.paygRate.sql, /BillingCurrency/);
    } finally {
      await store.close();
    }
  });
});

test('tally recommend prints its currency and rates, and the assistant tools pass each currency on', async () => {
  await withEurHosting(async (store, dir) => {
    const rates = join(dir, 'rates.csv');
    writeFileSync(rates, 'date,from,to,rate\n2026-10-01,EUR,USD,1.25\n');
    const config = join(dir, 'tally.yaml');
    writeFileSync(config, `reporting:\n  currency: USD\n  ratesFile: ${rates}\n`);
    const run = (argv: readonly string[]) => runCli(store, config, argv);
    const text = await run(['recommend', '--period', '2026-11']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Recommendations for 2026-11: \$[\d.]+ a month/m);
    assert.match(text.stdout, /currency: USD; converted at EUR→USD 1\.25 from \S*rates\.csv \(2026-10-01\)/);

    const deps: ToolDeps = {
      run,
      store: { appendAudit: async () => undefined },
      now: () => new Date('2026-12-02'),
    };
    const local = { kind: 'local', actor: 'test' } as const;
    const rec = await callTool(deps, local, 'get_recommendations', { period: '2026-11' }, { via: 'mcp' });
    assert.ok(rec.ok, rec.text);
    const doc = JSON.parse(rec.text) as {
      currency: string;
      exchangeRates: unknown[];
      recommendations: unknown[];
    };
    assert.equal(doc.currency, 'USD');
    assert.equal(doc.exchangeRates.length > 0, true);
    const anomalies = await callTool(
      deps,
      local,
      'get_anomalies',
      { from: '2026-11-01', to: '2026-12-01' },
      { via: 'mcp' },
    );
    assert.ok(anomalies.ok, anomalies.text);
    assert.equal((JSON.parse(anomalies.text) as { currency: string }).currency, 'USD');
  });
});

test('with reporting.currency EUR, recommend states savings in EUR at the period end rate, evidence in USD, totals adding up', async () => {
  await withEurHosting(async (store, dir) => {
    const rates = join(dir, 'rates.csv');
    writeFileSync(rates, 'date,from,to,rate\n2026-10-01,EUR,USD,1.25\n');
    const run = async (currency: string, ratesFile: string | null, argv: readonly string[]) => {
      const config = join(dir, `tally-${currency}.yaml`);
      writeFileSync(
        config,
        `reporting:\n  currency: ${currency}\n${ratesFile ? `  ratesFile: ${ratesFile}\n` : ''}`,
      );
      return runCli(store, config, argv);
    };
    type Doc = {
      currency: string;
      evidenceCurrency?: string;
      exchangeRates: { from: string; to: string; rate: string; day: string }[];
      recommendations: { id: string; monthlySavingsUsd: string; alternativeTo?: string; evidence: unknown }[];
      totalMonthlySavingsUsd: string;
    };
    const json = ['recommend', '--period', '2026-11', '--json'];
    const usd = await run('USD', rates, json);
    const eur = await run('EUR', rates, json);
    assert.equal(eur.code, 0, eur.stderr);
    const u = JSON.parse(usd.stdout) as Doc;
    const e = JSON.parse(eur.stdout) as Doc;
    assert.equal(e.currency, 'EUR');
    assert.equal(e.evidenceCurrency, 'USD');
    assert.equal(u.evidenceCurrency, undefined);
    // USD→EUR is the inverse of the file's EUR→USD 1.25: ×0.8 of the exact saving, so within a cent of 0.8 ×
    // the USD saving printed in cents; same order, same ids.
    assert.deepEqual(
      e.recommendations.map((r) => r.id),
      u.recommendations.map((r) => r.id),
    );
    u.recommendations.forEach((r, i) => {
      const inEur = Math.round(Number(e.recommendations[i]!.monthlySavingsUsd) * 100);
      assert.ok(Math.abs(inEur - Number(r.monthlySavingsUsd) * 80) <= 1, `${r.id}: ${inEur} cents`);
    });
    assert.equal(u.recommendations[0]!.monthlySavingsUsd, '9636.00');
    assert.equal(e.recommendations[0]!.monthlySavingsUsd, '7708.80', '9,636.00 USD is 7,708.80 EUR');
    assert.deepEqual(
      e.recommendations.map((r) => r.evidence),
      u.recommendations.map((r) => r.evidence),
    );
    const counted = e.recommendations.filter((r) => r.alternativeTo === undefined);
    const cents = counted.reduce((s, r) => s + Math.round(Number(r.monthlySavingsUsd) * 100), 0);
    assert.ok(Math.abs(cents - Math.round(Number(e.totalMonthlySavingsUsd) * 100)) <= counted.length);
    assert.ok(e.exchangeRates.some((r) => r.from === 'USD' || r.to === 'USD'));
    assert.ok(e.exchangeRates.length > u.exchangeRates.length, 'the reporting conversion is listed');
    const text = await run('EUR', rates, ['recommend', '--period', '2026-11']);
    assert.match(text.stdout, /^Recommendations for 2026-11: [\d.]+ EUR a month/m);
    assert.doesNotMatch(text.stdout.split('\n')[0]!, /\$/);
    // No rate to the reporting currency: refused, naming the pair, never USD printed as EUR.
    const none = await run('EUR', null, json);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no exchange rate/);
  });
});
