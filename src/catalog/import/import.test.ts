import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeRates, TallyError } from '../../core/index.js';
import { priceUsage } from '../prices.js';
import {
  clearRegisteredPrices,
  parseMeterName,
  parsePriceSheetCsv,
  parseRetailPrices,
  registerPrices,
} from './index.js';

test('Azure meter abbreviations map to model, deployment type and token type', () => {
  const cases: [string, string, string, string][] = [
    ['gpt 4o 1120 Inp glbl Tokens', 'gpt-4o-2024-11-20', 'global-standard', 'input'],
    ['gpt 4o 0513 Outp regnl Tokens', 'gpt-4o-2024-05-13', 'regional', 'output'],
    ['GPT 5 Mini cchd Inpt Glbl', 'gpt-5-mini', 'global-standard', 'cached'],
    ['GPT 5 outpt Glbl 1M Tokens', 'gpt-5', 'global-standard', 'output'],
    ['5.4 opt Dz 1M Tokens', 'gpt-5.4', 'data-zone', 'output'],
    ['5.5 ShortCo inp Gl 1M Tokens', 'gpt-5.5', 'global-standard', 'input'],
    ['gpt-4o-mini-0718 Batch inp Dz', 'gpt-4o-mini-2024-07-18', 'data-zone-batch', 'input'],
    ['41 ft opt Dz', 'gpt-4.1', 'fine-tuned', 'output'],
    ['o4-mini 0416 Inp glbl Tokens', 'o4-mini-2025-04-16', 'global-standard', 'input'],
    ['gpt 4.1 nano cached Inp glbl Tokens', 'gpt-4.1-nano', 'global-standard', 'cached'],
  ];
  for (const [name, model, deployment, tokenType] of cases) {
    const m = parseMeterName(name);
    assert.ok(!('skip' in m), name);
    assert.deepEqual([m.model, m.deployment, m.tokenType], [model, deployment, tokenType], name);
  }
  for (const name of [
    '5.4 LongCo inp Gl 1M Tokens',
    'GPT 4o Audio Inp Glbl',
    'Grok 4.1 Inp DZone Tokens',
    'Provisioned Managed Global Unit',
  ])
    assert.ok('skip' in parseMeterName(name), name);
});

test('retail items become one record per model, deployment and region, with per-1K prices scaled to per-1M', () => {
  const item = (meterName: string, unitPrice: number, extra: Record<string, unknown> = {}) => ({
    serviceName: 'Foundry Models',
    productName: 'Azure OpenAI',
    meterName,
    unitPrice,
    unitOfMeasure: '1K',
    currencyCode: 'USD',
    type: 'Consumption',
    armRegionName: 'swedencentral',
    effectiveStartDate: '2025-05-01T00:00:00Z',
    ...extra,
  });
  const r = parseRetailPrices(
    {
      Items: [
        item('gpt 4.1 mini Inp glbl Tokens', 0.0004),
        item('gpt 4.1 mini cached Inp glbl Tokens', 0.0001),
        item('gpt 4.1 mini Outp glbl Tokens', 0.0016),
        item('gpt 4.1 mini Outp glbl Tokens', 0.0012, { tierMinimumUnits: 1000000 }),
        item('gpt 4.1 mini Inp glbl Tokens', 0.0004, { currencyCode: 'EUR' }),
        item('gpt 4.1 Inp glbl Tokens', 0.002),
      ],
    },
    { source: 'test' },
  );
  assert.equal(r.records.length, 1);
  const rec = r.records[0]!;
  assert.deepEqual(
    [
      rec.model,
      rec.deployment,
      rec.region,
      rec.inputNanosPerMTok,
      rec.cachedInputNanosPerMTok,
      rec.outputNanosPerMTok,
    ],
    ['gpt-4.1-mini', 'global-standard', 'swedencentral', 400_000_000n, 100_000_000n, 1_600_000_000n],
  );
  // The lone gpt-4.1 input meter has no output meter: it is reported, never priced as zero output.
  assert.equal(
    Object.values(r.skipped).reduce((a, b) => a + b, 0),
    3,
  );
});

test('a price sheet without the required columns is rejected naming the column', () => {
  assert.throws(() => parsePriceSheetCsv('MeterName,UnitPrice\nx,1\n', { source: 't' }), /UnitOfMeasure/);
});

test('a registered price sheet sets effective cost while list cost stays at list price', () => {
  const csv = [
    'MeterName,UnitOfMeasure,UnitPrice,EffectiveStartDate,CurrencyCode,PriceType,Product',
    'gpt 4.1 Inp glbl Tokens,1K,0.0015,2025-05-01,USD,Consumption,Azure OpenAI',
    'gpt 4.1 Outp glbl Tokens,1K,0.006,2025-05-01,USD,Consumption,Azure OpenAI',
  ].join('\n');
  const sheet = parsePriceSheetCsv(csv, { source: 'test sheet' });
  assert.equal(sheet.records.length, 1);
  const usage = { inputTokens: 1_000_000, cachedInputTokens: 0, outputTokens: 1_000_000 };
  const q = { model: 'gpt-4.1', deployment: 'global-standard', at: new Date('2025-06-01') };
  const half = [{ percent: 50 }];
  // Priced (and memoised) before the sheet exists: the discount applies.
  assert.equal(priceUsage(usage, q, half).costNanos, 5_000_000_000n);
  registerPrices(sheet.records);
  try {
    const r = priceUsage(usage, q, half);
    assert.equal(r.listCostNanos, 10_000_000_000n);
    // The sheet wins over the generic discount: $1.50 + $6.00.
    assert.equal(r.costNanos, 7_500_000_000n);
    // Before the sheet took effect, the discount applies.
    assert.equal(
      priceUsage(usage, { ...q, at: new Date('2025-04-20') }, [{ percent: 50 }]).costNanos,
      5_000_000_000n,
    );
  } finally {
    clearRegisteredPrices();
  }
  // Once the sheet is gone, the memoised sheet price is gone with it.
  assert.equal(priceUsage(usage, q, half).costNanos, 5_000_000_000n);
});

test('a EUR price sheet imports in USD at the rate of each price start date, and refuses without a rate', () => {
  const csv = [
    'MeterName,UnitOfMeasure,UnitPrice,EffectiveStartDate,Currency,PriceType,Product',
    'gpt 4.1 Inp glbl Tokens,1K,0.0015,2025-05-01,EUR,Consumption,Azure OpenAI',
    'gpt 4.1 Outp glbl Tokens,1K,0.006,2025-05-01,EUR,Consumption,Azure OpenAI',
  ].join('\n');
  assert.throws(
    () => parsePriceSheetCsv(csv, { source: 'eur sheet' }),
    (e: unknown) => e instanceof TallyError && /EUR→USD on or before 2025-05-01/.test(e.message),
  );
  const rates = new ExchangeRates([
    { day: '2025-04-01', from: 'EUR', to: 'USD', rate: '1.0842', source: 'rates.csv' },
  ]);
  const sheet = parsePriceSheetCsv(csv, { source: 'eur sheet', rates });
  assert.equal(sheet.records.length, 1);
  const rec = sheet.records[0]!;
  // EUR 1.50 and 6.00 per 1M tokens at 1.0842: USD 1.6263 and 6.5052, exact.
  assert.equal(rec.inputNanosPerMTok, 1_626_300_000n);
  assert.equal(rec.outputNanosPerMTok, 6_505_200_000n);
  assert.match(rec.source, /EUR→USD 1\.0842 \(rates\.csv, 2025-04-01\)/);
  assert.equal(sheet.exchangeRates.length, 1);
});
