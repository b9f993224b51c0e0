/** Browser-test helpers shared by the fake-data and the real-server dashboard tests (kept out of dist). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { nanosToDecimalString, parseCsv, parseUsd } from '../core/index.js';

/** Opens `path` in a fresh page, is sent to the login form, signs in with `token` and waits to leave it. */
export async function signIn(page: Page, base: string, path: string, token: string): Promise<Page> {
  await page.goto(`${base}${path}`);
  assert.match(page.url(), /\/login/);
  await page.fill('input[name=token]', token);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.press('input[name=token]', 'Enter'),
  ]);
  return page;
}

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

/** One row of a unit-economics-by-tag document, as the report prints it. */
interface TagDocRow {
  readonly [k: string]: unknown;
  readonly costUsd: number;
  readonly requests: number;
  readonly costPerRequestUsd: number | null;
}

/**
 * Reads the unit-economics page's by-tag view as shown (each value's exact `<data value>`, else its text) and
 * checks it against a `tally unit-economics --by feature|tag:K --json` document: the same rows in the same order,
 * each cost to the nano, each request count, each cost per request as the report computed it, and the totals.
 */
export async function assertUnitFeaturesEqualDoc(
  page: Page,
  doc: { by: string; rows: readonly TagDocRow[]; total: TagDocRow },
): Promise<void> {
  const cells = await page.$$eval('main table tbody tr', (trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('td')].map(
        (td) => td.querySelector('data')?.getAttribute('value') ?? td.textContent!.trim(),
      ),
    ),
  );
  const exact = (usd: number) => nanosToDecimalString(parseUsd(usd));
  assert.deepEqual(
    cells.map((c) => [c[0], c[1], c[4], c[5]]),
    doc.rows.map((r) => [
      String(r[doc.by]),
      exact(r.costUsd),
      r.requests.toLocaleString('en-US'),
      r.costPerRequestUsd === null ? '–' : String(r.costPerRequestUsd),
    ]),
  );
  const text = async (sel: string) => (await page.locator(sel).first().getAttribute('value')) ?? '';
  assert.equal(await text('#ue-total-cost data'), exact(doc.total.costUsd));
  assert.equal(await text('#ue-total-per-request data'), String(doc.total.costPerRequestUsd));
  assert.equal(
    (await page.textContent('#ue-total-requests'))?.trim(),
    doc.total.requests.toLocaleString('en-US'),
  );
}
