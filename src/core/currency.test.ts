import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExchangeRates, convertDecimal, convertNanos, parseRatesCsv, type ExchangeRate } from './currency.js';
import { TallyError } from './errors.js';

const rate = (day: string, from: string, to: string, r: string, source = 'file'): ExchangeRate => ({
  day,
  from,
  to,
  rate: r,
  source,
});

test('a conversion rounds once, half to even, at the nano', () => {
  assert.equal(convertNanos(5n, '0.5'), 2n, '2.5 nanos rounds to the even 2');
  assert.equal(convertNanos(15n, '0.5'), 8n, '7.5 nanos rounds to the even 8');
  assert.equal(convertNanos(7n, '0.5'), 4n, '3.5 nanos rounds to the even 4');
  assert.equal(convertNanos(-5n, '0.5'), -2n, 'negative amounts round the same way');
  assert.equal(convertNanos(1_000_000_000n, '1.0842'), 1_084_200_000n);
});

test('an amount finer than a nano takes part before the one rounding', () => {
  // 0.00000000251 x 1 = 2.51 nanos -> 3 (above half); 0.0000000025 -> 2 (half, even); 0.0000000035 -> 4.
  assert.equal(convertDecimal('0.00000000251', '1'), 3n);
  assert.equal(convertDecimal('0.0000000025', '1'), 2n);
  assert.equal(convertDecimal('0.0000000035', '1'), 4n);
  assert.equal(convertDecimal('16736.0000000006', '2'), 33_472_000_000_001n);
});

test('an inverse rate divides exactly instead of multiplying by a rounded reciprocal', () => {
  // 1 EUR at USD->EUR 0.9 is 1/0.9 USD = 1.1111111111... -> 1.111111111
  assert.equal(convertNanos(1_000_000_000n, '0.9', true), 1_111_111_111n);
  assert.equal(convertDecimal('100', '0.9', true), 111_111_111_111n);
});

test('the rate in effect is the latest on or before the day, and the inverse pair stands in', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.08'),
    rate('2026-02-01', 'EUR', 'USD', '1.1'),
  ]);
  assert.equal(rates.find('EUR', 'USD', '2026-01-31')?.rate, '1.08');
  assert.equal(rates.find('EUR', 'USD', '2026-02-01')?.rate, '1.1');
  assert.equal(rates.find('EUR', 'USD', '2025-12-31'), null, 'no rate before the first one');
  const back = rates.find('USD', 'EUR', '2026-02-10');
  assert.equal(back?.inverse, true);
  assert.equal(rates.convert(1_100_000_000n, 'USD', 'EUR', '2026-02-10').nanos, 1_000_000_000n);
  assert.equal(rates.find('USD', 'USD', '2026-02-10')?.rate, '1', 'one currency needs no rate');
});

test('a configured rate wins over the export rate for the same pair and day', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.08', 'rates.csv'),
    rate('2026-01-01', 'EUR', 'USD', '1.2', 'export'),
  ]);
  assert.equal(rates.find('EUR', 'USD', '2026-01-05')?.source, 'rates.csv');
});

test('a missing rate refuses, naming the pair and the day', () => {
  const rates = new ExchangeRates([rate('2026-01-01', 'EUR', 'USD', '1.08')]);
  assert.throws(
    () => rates.convert('10', 'GBP', 'USD', '2026-01-05'),
    (e: unknown) =>
      e instanceof TallyError && e.code === 'conflict' && /GBP→USD on or before 2026-01-05/.test(e.message),
  );
});

test('a rates file is read exactly and a malformed line is named', () => {
  const ok = parseRatesCsv('date,from,to,rate\n2026-01-01,eur,usd,1.0842\n', 'r.csv');
  assert.deepEqual(ok, [rate('2026-01-01', 'EUR', 'USD', '1.0842', 'r.csv')]);
  for (const bad of [
    '2026-01-01,EUR,USD,1.1e3',
    '2026-01-01,EUR,USD,0',
    '2026-1-1,EUR,USD,1',
    '2026-01-01,EURO,USD,1',
  ])
    assert.throws(
      () => parseRatesCsv(`date,from,to,rate\n${bad}\n`, 'r.csv'),
      (e: unknown) => e instanceof TallyError && e.code === 'invalid_config' && /r\.csv:2/.test(e.message),
      bad,
    );
});
