import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeDeps, sampleDocs, testApp, USERS } from './_test-fakes.js';

type Doc = Record<string, unknown>;
const MONEY = ['billedCost', 'effectiveCost', 'listCost'] as const;

/** The sample documents as a EUR reporting currency prints them: every report says EUR. */
function inEur() {
  const docs = sampleDocs();
  const mark = (d: unknown): unknown => {
    if (Array.isArray(d))
      return d.map((r: Doc) =>
        'billedCost' in r
          ? {
              ...r,
              currency: 'EUR',
              reportingCurrency: 'EUR',
              ...Object.fromEntries(MONEY.map((k) => [`converted${k[0]!.toUpperCase()}${k.slice(1)}`, r[k]])),
            }
          : { ...r, currency: 'EUR' },
      );
    return typeof d === 'object' && d !== null ? { ...d, currency: 'EUR' } : d;
  };
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(docs))
    out[name] =
      // The gateway's metered usage stays in USD (the catalog prices the ledger in dollars), and reconciliation
      // compares in the ledger's currency.
      name === 'usage' || name === 'keys' || name === 'reconcile'
        ? d
        : typeof d === 'function'
          ? (p: Record<string, string>) => mark((d as (p: Record<string, string>) => unknown)(p))
          : mark(d);
  return out as ReturnType<typeof sampleDocs>;
}

/** Page text with tags removed, as a reader sees it. */
const visible = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<\/?(span|data|strong|code|a)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

test('with a EUR reporting currency no page prints a dollar sign for an amount, and every amount names EUR', async () => {
  const app = testApp(fakeDeps(inEur()), USERS.admin);
  for (const path of [
    '/',
    '/teams?period=2026-11',
    '/budgets',
    '/anomalies?from=2026-11-01&to=2026-12-03&state=all',
    '/forecast',
    '/unit-economics?period=2026-11',
    '/unit-economics?period=2026-11&by=feature',
    '/explore?from=2026-11-20&to=2026-11-23&granularity=day&by=x_AiModel&metric=billed',
  ]) {
    const res = await app.get(path);
    assert.equal(res.status, 200, path);
    const text = visible(res.text);
    assert.doesNotMatch(text, /\$\s?[\d-]/, `${path} prints a dollar amount`);
    assert.match(text, /\d EUR/, `${path} names EUR`);
  }
  const home = visible((await app.get('/')).text);
  assert.match(home, /Spend this month so far 645\.668918942 EUR/);
  assert.match(home, /search 13,295\.53470316 EUR/);
  const csv = (
    await app.get('/explore.csv?from=2026-11-20&to=2026-11-23&granularity=day&by=x_AiModel&metric=billed')
  ).text;
  assert.match(csv.split('\r\n')[0] ?? '', /Billed cost \(EUR\),Effective cost \(EUR\),List cost \(EUR\)/);
});

test("a team's page shows its chargeback in the reporting currency and the gateway's metered usage in USD", async () => {
  const text = visible(
    (await testApp(fakeDeps(inEur()), USERS.admin).get('/teams/search?period=2026-11')).text,
  );
  assert.match(text, /total 13,295\.53470316 EUR = direct 739\.318784987 EUR/);
  assert.match(text, /\$35\.99145088/, 'metered usage is the ledger, priced in USD');
});

test('the explorer adds rows of two billing currencies only through their converted amounts, and refuses without a rate', async () => {
  const rows = [
    { ServiceName: 'A', currency: 'EUR', billedCost: '100', effectiveCost: '100', listCost: '100', rows: 1 },
    { ServiceName: 'A', currency: 'USD', billedCost: '10', effectiveCost: '10', listCost: '10', rows: 1 },
  ];
  const converted = rows.map((r) => ({
    ...r,
    reportingCurrency: 'USD',
    convertedBilledCost: r.currency === 'EUR' ? '125' : r.billedCost,
    convertedEffectiveCost: r.currency === 'EUR' ? '125' : r.effectiveCost,
    convertedListCost: r.currency === 'EUR' ? '125' : r.listCost,
  }));
  const q = '/explore?from=2026-11-20&to=2026-11-23&by=ServiceName&metric=billed';
  const ok = visible(
    (await testApp(fakeDeps({ ...sampleDocs(), costs: converted }), USERS.admin).get(q)).text,
  );
  assert.match(ok, /A \$135\.00 \$135\.00 \$135\.00 2/, '125 USD for the EUR row plus 10 USD, never 110');
  const missing = rows.map((r) => ({
    ...r,
    ...(r.currency === 'EUR' ? { missingRate: 'EUR→USD on or before 2026-11-20' } : {}),
  }));
  const refused = await testApp(fakeDeps({ ...sampleDocs(), costs: missing }), USERS.admin).get(q);
  assert.equal(refused.status, 409);
  assert.match(visible(refused.text), /No exchange rate EUR→USD on or before 2026-11-20/);
  const unconverted = await testApp(fakeDeps({ ...sampleDocs(), costs: rows }), USERS.admin).get(q);
  assert.equal(unconverted.status, 409, 'two currencies with no converted amounts are not added');
});
