import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.js';

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
