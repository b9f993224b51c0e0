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

/** The reader as it was before it took plain runs as slices: one character at a time (the definition). */
function parseCharByChar(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let quoted = false;
  const end = () => {
    rec.push(field);
    if (rec.some((f) => f.trim() !== '')) out.push(rec);
    rec = [];
    field = '';
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end();
    } else field += ch;
  }
  if (field !== '' || rec.length > 0) end();
  return out;
}

test('parseCsv reads any text, odd quotes and line breaks included, exactly as a character-by-character reader does', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const alphabet = ['a', 'b', '1', '.', ' ', ',', '"', '""', '\n', '\r', '\r\n', '\uFEFF', 'é', '😀'];
  for (let k = 0; k < 3000; k++) {
    const len = Math.floor(rnd() * 40);
    let text = '';
    for (let j = 0; j < len; j++) text += alphabet[Math.floor(rnd() * alphabet.length)];
    assert.deepEqual(parseCsv(text), parseCharByChar(text), JSON.stringify(text));
  }
});
