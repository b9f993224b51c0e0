import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inTempDir, withStore } from './_allocation-fixture.js';
import { seedSavingsOrg } from './_savings-fixture.js';
import { runCli } from './cli.js';

interface CarbonDoc {
  rows: { team: string; energyWh: { low: number; high: number }; co2eGrams: { low: number; high: number } }[];
  method: { name: string; version: string };
}

test('tally carbon --json --by team, tally maturity --json and chargeback --with-carbon print the issue-14 contracts', async () => {
  await inTempDir('tally-carbon-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedSavingsOrg);
    const c = await runCli(['carbon', '--json', '--by', 'team', '--period', '2026-11', '--db', db]);
    assert.equal(c.code, 0, c.stderr);
    const doc = c.json<CarbonDoc>();
    assert.deepEqual(doc.rows.map((r) => r.team).sort(), [
      'claims',
      'finance',
      'marketing',
      'search',
      'support',
    ]);
    for (const r of doc.rows) {
      assert.ok(r.energyWh.low > 0 && r.energyWh.low <= r.energyWh.high, r.team);
      assert.ok(r.co2eGrams.low > 0 && r.co2eGrams.low <= r.co2eGrams.high, r.team);
    }
    assert.match(doc.method.version, /EcoLogits/);
    const m = await runCli(['maturity', '--json', '--period', '2026-11', '--db', db]);
    assert.equal(m.code, 0, m.stderr);
    const caps = m.json<{
      capabilities: { name: string; level: string; evidence: unknown; next: string }[];
    }>().capabilities;
    assert.equal(caps.length, 8);
    // The fixture's PTU runs 8 hours a day at a third of 20 PTU: crawl.
    assert.equal(caps.find((x) => x.name === 'reservations and PTU utilisation')?.level, 'crawl');
    const cb = await runCli(['chargeback', '--json', '--with-carbon', '--period', '2026-11', '--db', db]);
    assert.equal(cb.code, 0, cb.stderr);
    const rows = cb.json<{ rows: { team: string; energyWhLow: number; co2eGramsHigh: number }[] }>().rows;
    const search = rows.find((r) => r.team === 'search')!;
    const carbonSearch = doc.rows.find((r) => r.team === 'search')!;
    assert.equal(search.energyWhLow, carbonSearch.energyWh.low);
    assert.equal(search.co2eGramsHigh, carbonSearch.co2eGrams.high);
  });
});
