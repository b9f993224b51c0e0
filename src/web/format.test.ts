import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changePct, count, groupThousands, sumMoney, usd, usdEstimate, usdText } from './_format.js';

test('money is printed with every digit the document gives, grouped by thousands', () => {
  assert.equal(usdText(19418.209414082, 'USD'), '$19,418.209414082');
  assert.equal(usdText(1234567.5, 'USD'), '$1,234,567.50');
  assert.equal(usdText(10400, 'USD'), '$10,400.00');
});

test('tiny and negative amounts never print in exponent form', () => {
  assert.equal(usdText(-1e-9, 'USD'), '-$0.000000001');
  assert.equal(usdText(-363.692359757, 'USD'), '-$363.692359757');
});

test('the markup keeps cents in full weight, dims sub-cent digits and carries the exact value', () => {
  const text = usd(645.668918941, 'USD').text.replace(/\s+/g, ' ');
  assert.match(
    text,
    /<data class="money" value="645.668918941" data-currency="USD" ?>\$645.66<span class="subcent">8918941<\/span><\/data ?>/,
  );
  assert.match(usd(undefined, 'USD').text, /<span class="na">–<\/span>/);
});

test('sums of money are exact, with no float artefacts', () => {
  assert.equal(sumMoney([0.1, 0.2]), '0.3');
  assert.equal(sumMoney([19418.209414082, -0.000000001, 'x']), '19418.209414081');
});

test('estimates round to cents, or to four significant digits below a cent', () => {
  assert.equal(usdEstimate(890.8288497028742, 'USD'), '$890.83');
  assert.equal(usdEstimate(0.0005622743434746857, 'USD'), '$0.0005623');
  assert.equal(usdEstimate(null, 'USD'), '–');
});

test('counts and grouping leave digits alone', () => {
  assert.equal(count(181853017), '181,853,017');
  assert.equal(groupThousands('-1234.5678'), '-1,234.5678');
  assert.equal(changePct(110, 100)?.toFixed(1), '10.0');
  assert.equal(changePct(1, 0), null);
});

test('amounts in another currency name it after the number, as the CLI prints them, and never show a dollar sign', () => {
  assert.equal(usdText(19418.209414082, 'EUR'), '19,418.209414082 EUR');
  assert.equal(usdText('-0.5', 'EUR'), '-0.50 EUR');
  assert.equal(usdEstimate(0.0005622743434746857, 'GBP'), '0.0005623 GBP');
  const text = usd(-645.668918941, 'EUR').text.replace(/\s+/g, ' ');
  assert.match(
    text,
    /<data class="money" value="-645.668918941" data-currency="EUR" ?>-645.66<span class="subcent">8918941<\/span> EUR<\/data ?>/,
  );
  assert.doesNotMatch(text, /\$/);
});
