import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './cli.js';
import { LINES, focusCsv } from './ingest-fixtures.js';

// Exact expectations computed here, independently of src/: decimal text -> nanos, and a half-to-even division.
const nanos = (v: string) => {
  const [i, f = ''] = v.split('.');
  return BigInt(i!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
};
const halfEven = (num: bigint, den: bigint) => {
  const q = num / den;
  const twice = (num % den) * 2n;
  return twice > den || (twice === den && q % 2n === 1n) ? q + 1n : q;
};
const text = (n: bigint) => {
  const s = n.toString().padStart(10, '0');
  const f = s.slice(-9).replace(/0+$/, '');
  return s.slice(0, -9) + (f ? `.${f}` : '');
};
const AI = LINES.filter((l) => l.cat === 'AI and Machine Learning');
const aiEffective = AI.reduce((a, l) => a + nanos(l.effective), 0n);

/** A store with one USD export and the same charges billed in EUR by a second account (optionally with its rate). */
async function twoCurrencies(t: TestContext, eurRate?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-currency-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'c.duckdb');
  const usd = join(dir, 'usd.csv');
  const eur = join(dir, 'eur.csv');
  writeFileSync(usd, focusCsv(LINES));
  let eurCsv = focusCsv(LINES).replaceAll('acct-1,Contoso,USD,', 'acct-2,Contoso EU,EUR,');
  // FOCUS pricing vs billing currency: prices in USD, billed in EUR at x_BillingExchangeRate (USD -> EUR).
  if (eurRate)
    eurCsv = eurCsv
      .split('\n')
      .map((l, i) =>
        l === '' ? l : i === 0 ? `${l},PricingCurrency,x_BillingExchangeRate` : `${l},USD,${eurRate}`,
      )
      .join('\n');
  writeFileSync(eur, eurCsv);
  for (const f of [usd, eur]) assert.equal((await runCli(['ingest', f, '--db', db, '--json'])).code, 0);
  const config = (yaml: string) => {
    const p = join(dir, `tally-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(p, yaml);
    return p;
  };
  const rates = (csv: string) => {
    const p = join(dir, 'rates.csv');
    writeFileSync(p, csv);
    return p;
  };
  return { db, config, rates };
}

test('a month billed in two currencies is never summed without a rate: costs keeps a row per currency, totals and chargeback refuse', async (t) => {
  const { db } = await twoCurrencies(t);
  const c = await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const rows =
    c.json<{ ServiceCategory: string; currency: string; billedCost: string; missingRate?: string }[]>();
  const compute = rows.filter((r) => r.ServiceCategory === 'Compute');
  assert.deepEqual(compute.map((r) => r.currency).sort(), ['EUR', 'USD']);
  assert.equal(compute[0]!.billedCost, compute[1]!.billedCost, 'each currency keeps its own amount');
  assert.match(compute.find((r) => r.currency === 'EUR')!.missingRate ?? '', /EUR→USD/);

  const total = await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json', '--total']);
  assert.notEqual(total.code, 0);
  assert.match(total.stderr, /no exchange rate EUR→USD/);

  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01']);
  assert.notEqual(cb.code, 0);
  assert.match(cb.stderr, /no exchange rate EUR→USD on or before 2026-01-0\d/);
});

test('with a rates file, EUR amounts are converted exactly at the rate of their day and added to the USD ones', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const file = rates('date,from,to,rate\n2025-12-01,EUR,USD,1.5\n2026-01-04,EUR,USD,1.0842\n');
  const cfg = config(`reporting:\n  currency: USD\n  ratesFile: ${file}\n`);
  // Each EUR charge at the rate in effect on its day (1.5 before the 4th, 1.0842 from it), rounded half to even.
  const converted = (l: (typeof LINES)[number]) =>
    l.day < 4 ? halfEven(nanos(l.effective) * 15n, 10n) : halfEven(nanos(l.effective) * 10842n, 10000n);
  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01', '--config', cfg]);
  assert.equal(cb.code, 0, cb.stderr);
  const doc = cb.json<{
    totalCostUsd: number;
    currency: string;
    exchangeRates: { rate: string; source: string }[];
  }>();
  const expected = aiEffective + AI.reduce((a, l) => a + converted(l), 0n);
  assert.equal(doc.totalCostUsd, Number(expected) / 1e9);
  assert.equal(doc.currency, 'USD');
  assert.deepEqual(
    doc.exchangeRates.map((r) => [r.rate, r.source]),
    [
      ['1.5', file],
      ['1.0842', file],
    ],
  );

  const c = await runCli([
    'costs',
    '--db',
    db,
    '--by',
    'ServiceCategory',
    '--json',
    '--total',
    '--config',
    cfg,
  ]);
  assert.equal(c.code, 0, c.stderr);
  const costs = c.json<{
    currency: string;
    total: { effectiveCost: string };
    rows: { currency: string; effectiveCost: string }[];
  }>();
  const all = LINES.reduce((a, l) => a + nanos(l.effective) + converted(l), 0n);
  assert.equal(costs.total.effectiveCost, text(all), 'the converted total is exact text');
  assert.ok(
    costs.rows.some((r) => r.currency === 'EUR' && r.effectiveCost === '113.45'),
    'rows stay as stored',
  );
});

test('a EUR export carrying its own exchange rate is converted back to USD with it, no rates file needed', async (t) => {
  const { db } = await twoCurrencies(t, '0.9');
  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01']);
  assert.equal(cb.code, 0, cb.stderr);
  const doc = cb.json<{
    totalCostUsd: number;
    exchangeRates: { from: string; to: string; inverse: boolean; source: string }[];
  }>();
  // EUR -> USD divides by the export's USD -> EUR 0.9, per charge, half to even.
  const expected = aiEffective + AI.reduce((a, l) => a + halfEven(nanos(l.effective) * 10n, 9n), 0n);
  assert.equal(doc.totalCostUsd, Number(expected) / 1e9);
  assert.deepEqual(
    doc.exchangeRates.map((r) => [r.from, r.to, r.inverse, r.source]),
    [['EUR', 'USD', true, 'export']],
  );
  const text1 = await runCli(['chargeback', '--db', db, '--period', '2026-01']);
  assert.match(text1.stdout, /currency: USD; converted at EUR→USD 1\/0\.9 from export/);
});

test('reports can be in EUR: the USD export is converted into it and the output says so', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const cfg = config(
    `reporting:\n  currency: EUR\n  ratesFile: ${rates('date,from,to,rate\n2026-01-01,EUR,USD,1.25\n')}\n`,
  );
  const cb = await runCli(['chargeback', '--db', db, '--period', '2026-01', '--config', cfg, '--json']);
  assert.equal(cb.code, 0, cb.stderr);
  const doc = cb.json<{ totalCostUsd: number; currency: string }>();
  assert.equal(doc.currency, 'EUR');
  // USD -> EUR by the inverse of EUR -> USD 1.25: x / 1.25 = x * 4 / 5.
  const expected = aiEffective + AI.reduce((a, l) => a + halfEven(nanos(l.effective) * 4n, 5n), 0n);
  assert.equal(doc.totalCostUsd, Number(expected) / 1e9);
  const txt = await runCli(['chargeback', '--db', db, '--period', '2026-01', '--config', cfg]);
  assert.match(txt.stdout, /AI cost 2026-01 by team: [\d.]+ EUR/);
});

test('reports in GBP from a EUR and a USD export convert EUR through USD exactly when only EUR→USD and GBP→USD are given', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const file = rates('date,from,to,rate\n2026-01-01,EUR,USD,1.1\n2026-01-01,GBP,USD,1.25\n');
  const cfg = config(`reporting:\n  currency: GBP\n  ratesFile: ${file}\n`);
  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01', '--config', cfg]);
  assert.equal(cb.code, 0, cb.stderr);
  const doc = cb.json<{
    totalCostUsd: number;
    currency: string;
    exchangeRates: { from: string; to: string; rate: string; inverse: boolean; via?: string }[];
  }>();
  assert.equal(doc.currency, 'GBP');
  // USD -> GBP is the inverse of GBP -> USD 1.25 (x 100/125); EUR -> GBP is 1.1/1.25 (x 110/125), one rounding.
  const expected = AI.reduce(
    (a, l) => a + halfEven(nanos(l.effective) * 100n, 125n) + halfEven(nanos(l.effective) * 110n, 125n),
    0n,
  );
  assert.equal(doc.totalCostUsd, Number(expected) / 1e9);
  const eur = doc.exchangeRates.find((r) => r.from === 'EUR')!;
  assert.deepEqual([eur.to, eur.rate, eur.inverse, eur.via], ['GBP', '1.1/1.25', false, 'USD']);
  const txt = await runCli(['chargeback', '--db', db, '--period', '2026-01', '--config', cfg]);
  assert.match(txt.stdout, /EUR→GBP 1\.1\/1\.25 via USD/);

  // Without GBP -> USD there is no path: the report refuses and names the pair it needed.
  const none = config(
    `reporting:\n  currency: GBP\n  ratesFile: ${rates('date,from,to,rate\n2026-01-01,EUR,USD,1.1\n')}\n`,
  );
  const refused = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01', '--config', none]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /no exchange rate (USD|EUR)→GBP on or before 2026-01-\d\d/);
});

test('reconciliation compares the export with the USD ledger only after converting EUR rows, and refuses without a rate', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const refused = await runCli(['reconcile', '--db', db, '--json', '--period', '2026-01', '--by', 'day']);
  assert.notEqual(refused.code, 0, 'EUR billed amounts are never added to USD ones as they are');
  assert.match(refused.stderr, /no exchange rate EUR→USD on or before 2026-01-0\d/);
  const cfg = config(`reporting:\n  ratesFile: ${rates('date,from,to,rate\n2026-01-01,EUR,USD,1.5\n')}\n`);
  for (const by of ['day', 'deployment']) {
    const r = await runCli([
      'reconcile',
      '--db',
      db,
      '--json',
      '--period',
      '2026-01',
      '--by',
      by,
      '--config',
      cfg,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<{
      currency: string;
      exchangeRates: { from: string; to: string; rate: string }[];
      totals: { billedCostUsd: number };
    }>();
    assert.equal(doc.currency, 'USD');
    assert.deepEqual(
      doc.exchangeRates.map((x) => [x.from, x.to, x.rate]),
      [['EUR', 'USD', '1.5']],
    );
    const billed = AI.reduce((a, l) => a + nanos(l.billed) + halfEven(nanos(l.billed) * 15n, 10n), 0n);
    assert.equal(doc.totals.billedCostUsd, Number(billed) / 1e9, `--by ${by}`);
  }
});

test('the anomaly scan never adds a EUR export to a USD one: it refuses without a rate and says its currency with one', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const scan = ['anomalies', '--db', db, '--json', '--from', '2026-01-01', '--to', '2026-02-01', '--rescan'];
  const refused = await runCli(scan);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /no exchange rate EUR→USD on or before 2026-01-0\d/);
  const cfg = config(
    `reporting:\n  currency: EUR\n  ratesFile: ${rates('date,from,to,rate\n2025-12-01,EUR,USD,1.25\n')}\n`,
  );
  const ok = await runCli([...scan, '--config', cfg]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json<{ currency: string }>().currency, 'EUR');
});

test('a forecast on the cost basis says its currency and carries the history it was made from, on the same basis', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const cfg = config(
    `reporting:\n  currency: EUR\n  ratesFile: ${rates('date,from,to,rate\n2025-12-01,EUR,USD,1.25\n')}\n`,
  );
  const f = await runCli([
    'forecast',
    '--db',
    db,
    '--json',
    '--to',
    '2026-01-20',
    '--horizon',
    '5',
    '--config',
    cfg,
  ]);
  assert.equal(f.code, 0, f.stderr);
  const doc = f.json<{
    currency: string;
    monthToDateUsd: number;
    history: { timestamp: string; value: string }[];
  }>();
  assert.equal(doc.currency, 'EUR');
  const january = doc.history
    .filter((h) => h.timestamp.startsWith('2026-01'))
    .reduce((a, h) => a + nanos(h.value), 0n);
  assert.equal(
    Number(january) / 1e9,
    doc.monthToDateUsd,
    'the history adds up to the month to date it reports',
  );
  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01', '--config', cfg]);
  const all = doc.history.reduce((a, h) => a + nanos(h.value), 0n);
  assert.equal(
    Number(all) / 1e9,
    cb.json<{ totalCostUsd: number }>().totalCostUsd,
    "the month's chargeback in EUR",
  );
});

test('unit economics and the FOCUS export print their amounts in the reporting currency, never with a dollar sign', async (t) => {
  const { db, config, rates } = await twoCurrencies(t);
  const cfg = config(
    `reporting:\n  currency: EUR\n  ratesFile: ${rates('date,from,to,rate\n2025-12-01,EUR,USD,1.25\n')}\n`,
  );
  const kpi = join(dirname(db), 'kpi.csv');
  writeFileSync(kpi, 'date,app,metric,value\n2026-01-05,(unassigned),orders,10\n');
  const ue = await runCli([
    'unit-economics',
    '--db',
    db,
    '--period',
    '2026-01',
    '--kpi',
    kpi,
    '--config',
    cfg,
  ]);
  assert.equal(ue.code, 0, ue.stderr);
  assert.match(ue.stdout, /AI cost [\d.,]+ EUR/);
  assert.doesNotMatch(ue.stdout, /\$/);
  const out = join(dirname(db), 'focus-out.csv');
  const ex = await runCli([
    'export',
    'focus',
    '--db',
    db,
    '--period',
    '2026-01',
    '--out',
    out,
    '--config',
    cfg,
  ]);
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /split by \w+, [\d.,]+ EUR\)/);
});
