/** Browser-test helpers shared by the fake-data and the real-server dashboard tests (kept out of dist). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseCsv } from '../core/index.js';

/**
 * Reads the explore page's table as shown (a money cell's exact `<data value>`, else its text), downloads its
 * CSV and checks that the CSV has the same rows with the same dimension and amounts. Returns the row count.
 */
export async function assertExploreCsvEqualsTable(page: Page): Promise<number> {
  const cells = await page.$$eval('#table-h ~ div tbody tr', (trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('td')].map(
        (td) => td.querySelector('data')?.getAttribute('value') ?? td.textContent!.trim(),
      ),
    ),
  );
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href^="/explore.csv"]'),
  ]);
  const rows = parseCsv(readFileSync((await download.path())!, 'utf8')).slice(1);
  assert.equal(rows.length, cells.length);
  rows.forEach((r, i) => {
    const shown = cells[i]!;
    // The CSV guards a leading formula sign with a quote; "(none)" on screen is an empty dimension.
    assert.equal(r[0]!.replace(/^'/, ''), shown[0] === '(none)' ? '' : shown[0]);
    assert.deepEqual(r.slice(1, 4), shown.slice(1, 4));
  });
  return cells.length;
}
