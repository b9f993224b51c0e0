import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capResult, sumUsd, topRows } from './_bound.js';

test('a result over the size cap loses rows of its largest list until it fits, and says so', () => {
  const doc = {
    totals: { billedCostUsd: '1' },
    rows: Array.from({ length: 500 }, (_, i) => ({ i, pad: 'x'.repeat(80) })),
  };
  const text = capResult(doc, 4_000);
  assert.ok(text.length <= 4_000);
  const out = JSON.parse(text) as { rows: unknown[]; truncated: string; totals: unknown };
  assert.ok(out.rows.length > 0 && out.rows.length < 500);
  assert.match(out.truncated, /rows cut/);
  assert.deepEqual(out.totals, doc.totals, 'summaries are kept');
});

test('a result that cannot be cut to size is replaced by a note, never sent whole', () => {
  const text = capResult({ blob: 'y'.repeat(10_000) }, 1_000);
  assert.ok(text.length <= 1_000);
  assert.match(text, /over 1000/);
});

test('top rows keep the order and count what was left out; sums are exact decimals', () => {
  const rows = [{ c: 0.1 }, { c: 0.2 }, { c: 0.000000001 }];
  assert.deepEqual(topRows(rows, 2), { rows: rows.slice(0, 2), rowCount: 3, omittedRows: 1 });
  assert.equal(sumUsd(rows, 'c'), '0.300000001');
});
