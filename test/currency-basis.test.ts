import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { LINES, focusCsv } from './ingest-fixtures.js';

test('a month billed in two currencies is never summed: costs keeps a row per currency and chargeback refuses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-currency-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'c.duckdb');
  const usd = join(dir, 'usd.csv');
  const eur = join(dir, 'eur.csv');
  writeFileSync(usd, focusCsv(LINES));
  // The same charges from a second billing account that is billed in euros.
  writeFileSync(eur, focusCsv(LINES).replaceAll('acct-1,Contoso,USD,', 'acct-2,Contoso EU,EUR,'));
  for (const f of [usd, eur]) assert.equal((await runCli(['ingest', f, '--db', db, '--json'])).code, 0);

  const c = await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const rows = c.json<{ ServiceCategory: string; currency: string; billedCost: string }[]>();
  const compute = rows.filter((r) => r.ServiceCategory === 'Compute');
  assert.deepEqual(compute.map((r) => r.currency).sort(), ['EUR', 'USD']);
  assert.equal(compute[0]!.billedCost, compute[1]!.billedCost, 'each currency keeps its own amount');

  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-01']);
  assert.notEqual(cb.code, 0);
  assert.match(cb.stderr, /EUR and USD/);
});
