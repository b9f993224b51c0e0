import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, parseCsv, toCsv } from './csv.js';

test('parseCsv reads quoted commas, doubled quotes, line breaks in quotes, CRLF and a BOM', () => {
  const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,2,3';
  assert.deepEqual(parseCsv(text), [
    ['a', 'b', 'c'],
    ['x, y', 'say "hi"', 'two\nlines'],
    ['1', '2', '3'],
  ]);
});

test('parseCsv skips blank records and keeps a last record without a newline', () => {
  assert.deepEqual(parseCsv('h\n \n,\nv'), [['h'], ['v']]);
});

test('exports are formula-safe: every formula start, ASCII or full-width, gets a leading quote', () => {
  for (const s of [
    '=1+1',
    '+1+1',
    '-1+1',
    '@SUM(A1)',
    '\t=1',
    '\r=1',
    '\0=1',
    '|cmd',
    '%0A',
    '  =1+1',
    '＝1+1',
    '＋1',
    '－1',
    '＠SUM(A1)',
  ])
    assert.ok(csvCell(s).replace(/^"/, '').startsWith("'"), `${JSON.stringify(s)} -> ${csvCell(s)}`);
});

test('exports are formula-safe: numbers stay numbers, as JS numbers and as plain decimal text', () => {
  assert.equal(csvCell(-1.5), '-1.5');
  assert.equal(csvCell(-12n), '-12');
  assert.equal(csvCell('-1.5'), '-1.5');
  assert.equal(csvCell('+3'), '+3');
  assert.equal(csvCell('-1.5e-3'), '-1.5e-3');
  assert.equal(csvCell('-1+2'), "'-1+2");
});

test('exports are formula-safe: a team named =HYPERLINK round-trips as text through toCsv and parseCsv', () => {
  const team = '=HYPERLINK("http://x","click")';
  const text = toCsv(['team', 'cost'], [{ team, cost: -2.5 }]);
  assert.deepEqual(parseCsv(text), [
    ['team', 'cost'],
    [`'${team}`, '-2.5'],
  ]);
  assert.ok(text.endsWith('\r\n'));
});
