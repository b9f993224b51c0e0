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

test('without a rate for the pair, two rates through a common currency convert exactly, rounded once at the end', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.1', 'rates.csv'),
    rate('2026-01-01', 'GBP', 'USD', '1.25', 'export'),
  ]);
  const r = rates.require('EUR', 'GBP', '2026-01-15');
  assert.equal(r.rate, '1.1/1.25');
  assert.equal(r.inverse, false);
  assert.equal(r.via?.currency, 'USD');
  assert.deepEqual(
    r.via?.legs.map((l) => [l.from, l.to, l.rate, l.inverse, l.source]),
    [
      ['EUR', 'USD', '1.1', false, 'rates.csv'],
      ['USD', 'GBP', '1.25', true, 'export'],
    ],
  );
  assert.equal(r.source, 'rates.csv + export');
  // 100 EUR = 110 USD = 88 GBP, exactly.
  assert.equal(rates.convert('100', 'EUR', 'GBP', '2026-01-15').nanos, 88_000_000_000n);
  // And back: GBP -> EUR is 1.25/1.1; 1 GBP = 1.136363636363... EUR -> 1.136363636.
  assert.equal(rates.convert(1_000_000_000n, 'GBP', 'EUR', '2026-01-15').nanos, 1_136_363_636n);
});

test('a composed rate is never rounded in between: the one rounding, half to even, comes last', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.5'),
    rate('2026-01-01', 'GBP', 'USD', '2.5'),
  ]);
  // 1 nano EUR = 1.5 nano USD (rounding here would give 2) = 0.6 nano GBP -> 1; via a rounded 2 USD it would be 0.8.
  assert.equal(rates.convert(1n, 'EUR', 'GBP', '2026-01-02').nanos, 1n);
  // A result of exactly half a nano rounds to even: 1.25/2.5 = 0.5 per nano.
  const half = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.25'),
    rate('2026-01-01', 'GBP', 'USD', '2.5'),
  ]);
  assert.equal(half.convert(1n, 'EUR', 'GBP', '2026-01-02').nanos, 0n, '0.5 rounds to the even 0');
  assert.equal(half.convert(3n, 'EUR', 'GBP', '2026-01-02').nanos, 2n, '1.5 rounds to the even 2');
  assert.equal(half.convert('0.0000000025', 'EUR', 'GBP', '2026-01-02').nanos, 1n, '1.25 nanos -> 1');
});

test('legs may be inverses, each is the rate in effect on the day, and a direct rate wins over a composed one', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'USD', 'EUR', '0.8'),
    rate('2026-02-01', 'USD', 'EUR', '0.9'),
    rate('2026-01-10', 'GBP', 'USD', '1.25'),
  ]);
  // EUR -> USD is 1/0.8, USD -> GBP is 1/1.25: EUR -> GBP = 1/(0.8 x 1.25) = 1/1.000 = 1.
  const jan = rates.require('EUR', 'GBP', '2026-01-20');
  assert.equal(jan.rate, '1');
  assert.equal(jan.day, '2026-01-10', 'the later leg says when the composed rate took effect');
  assert.equal(rates.convert('7', 'EUR', 'GBP', '2026-01-20').nanos, 7_000_000_000n);
  // February: 1/(0.9 x 1.25) = 1/1.125; 9 EUR = 8 GBP.
  assert.equal(rates.convert('9', 'EUR', 'GBP', '2026-02-02').nanos, 8_000_000_000n);
  assert.equal(rates.find('EUR', 'GBP', '2026-01-05'), null, 'no GBP rate yet on that day');
  const direct = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.1'),
    rate('2026-01-01', 'GBP', 'USD', '1.25'),
    rate('2026-01-01', 'EUR', 'GBP', '0.87'),
  ]);
  assert.equal(direct.require('EUR', 'GBP', '2026-01-02').rate, '0.87');
  assert.equal(direct.require('EUR', 'GBP', '2026-01-02').via, undefined);
});

test('with no path through one common currency the conversion refuses, naming the missing pair', () => {
  const rates = new ExchangeRates([
    rate('2026-01-01', 'EUR', 'USD', '1.1'),
    rate('2026-01-01', 'GBP', 'CHF', '1.12'),
  ]);
  assert.throws(
    () => rates.convert('10', 'EUR', 'GBP', '2026-01-05'),
    (e: unknown) =>
      e instanceof TallyError &&
      e.code === 'conflict' &&
      /no exchange rate EUR→GBP on or before 2026-01-05/.test(e.message) &&
      e.details['from'] === 'EUR' &&
      e.details['to'] === 'GBP',
  );
});

test('a rates file takes plain decimals only; a quotient is how Tally writes a composed rate, not an input', () => {
  assert.throws(
    () => parseRatesCsv('date,from,to,rate\n2026-01-01,EUR,GBP,1.1/1.25\n', 'r.csv'),
    (e: unknown) => e instanceof TallyError && /r\.csv:2/.test(e.message),
  );
});
