import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUsd } from '../core/index.js';
import { explainChange, scopeChangeJson, type ChangeCell } from './_explain.js';

const cell = (scope: string, model: string, volume: number, usd: string): ChangeCell => ({
  scope,
  model,
  volume: BigInt(volume),
  cost: parseUsd(usd),
});
const parts = (s: ReturnType<typeof explainChange>[number]) =>
  s.volumeEffect + s.mixEffect + s.priceEffect + s.newEffect + s.goneEffect;

test('twice the requests at the same cost per request is all volume', () => {
  const [s] = explainChange([cell('search', 'gpt-4o', 100, '10')], [cell('search', 'gpt-4o', 200, '20')]);
  assert.equal(s!.change, parseUsd('10'));
  assert.equal(s!.volumeEffect, parseUsd('10'));
  assert.equal(s!.mixEffect, 0n);
  assert.equal(s!.priceEffect, 0n);
});

test('the same requests at a higher cost per request is all price', () => {
  const [s] = explainChange([cell('search', 'gpt-4o', 100, '10')], [cell('search', 'gpt-4o', 100, '13')]);
  assert.equal(s!.priceEffect, parseUsd('3'));
  assert.equal(s!.volumeEffect, 0n);
  assert.equal(s!.mixEffect, 0n);
});

test('requests moving from a cheap model to a dear one at unchanged prices is mix', () => {
  const before = [cell('app', 'mini', 90, '0.9'), cell('app', 'big', 10, '1')]; // 0.01 and 0.1 a request
  const after = [cell('app', 'mini', 50, '0.5'), cell('app', 'big', 50, '5')];
  const [s] = explainChange(before, after);
  assert.equal(s!.volumeEffect, 0n);
  assert.equal(s!.priceEffect, 0n);
  assert.equal(s!.mixEffect, parseUsd('3.6'));
  assert.equal(s!.change, parseUsd('3.6'));
});

test('a model used only in the later period is new, one used only before is gone, and a new scope is all new', () => {
  const before = [cell('a', 'old', 10, '1'), cell('a', 'kept', 10, '2')];
  const after = [cell('a', 'kept', 10, '2'), cell('a', 'fresh', 5, '4'), cell('b', 'kept', 1, '0.5')];
  const [a, b] = explainChange(before, after);
  assert.equal(a!.scope, 'a');
  assert.equal(a!.newEffect, parseUsd('4'));
  assert.equal(a!.goneEffect, parseUsd('-1'));
  assert.deepEqual([a!.newModels, a!.goneModels], [['fresh'], ['old']]);
  assert.equal(b!.status, 'new');
  assert.equal(b!.newEffect, parseUsd('0.5'));
  assert.equal(b!.before, 0n);
});

test('volume, mix, price, new and gone add up to the change exactly, to the nano, even with rounding', () => {
  const before = [
    cell('x', 'm1', 3, '0.000000010'),
    cell('x', 'm2', 7, '1.333333333'),
    cell('y', 'm1', 11, '7.7'),
  ];
  const after = [
    cell('x', 'm1', 13, '0.000000077'),
    cell('x', 'm2', 1, '0.999999999'),
    cell('x', 'm3', 2, '2'),
  ];
  for (const s of explainChange(before, after)) assert.equal(parts(s), s.change, s.scope);
});

test('scopes come largest move first and print money as exact decimal strings', () => {
  const out = explainChange(
    [cell('small', 'm', 1, '1'), cell('big', 'm', 1, '1')],
    [cell('small', 'm', 1, '1.5'), cell('big', 'm', 1, '0.25')],
  );
  assert.deepEqual(
    out.map((s) => s.scope),
    ['big', 'small'],
  );
  const json = scopeChangeJson(out[0]!);
  assert.equal(json['changeUsd'], '-0.75');
  assert.equal(json['priceUsd'], '-0.75');
});
