/**
 * Scope escapes of a team-scoped caller (team-lead or viewer token) through the reports themselves: what a
 * scoped run prints must be computable from the rows it may see, never reveal the organisation's figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../src/core/index.js';
import { main } from '../src/cli/index.js';
import { openStore } from '../src/store/index.js';
import { parse } from 'yaml';
import { seedStandardOrg, STANDARD_CONFIG } from './_allocation-fixture.js';

async function scopedRun(argv: readonly string[], teams: readonly string[] | null) {
  const store = await openStore({ path: ':memory:' });
  try {
    await seedStandardOrg(store);
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      store,
      config: configSchema.parse(parse(STANDARD_CONFIG)),
      scope: teams ? { teams } : null,
      actor: 'test',
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  } finally {
    await store.close();
  }
}

interface Doc {
  totalCostUsd: number;
  rows: { team: string; totalCostUsd: number; shareOfTotal: number }[];
}

test("a team-lead's chargeback shares are of its own teams' total, so the organisation's total cannot be derived", async () => {
  const argv = ['chargeback', '--period', '2026-01', '--by', 'team', '--json'];
  const org = JSON.parse((await scopedRun(argv, null)).stdout) as Doc;
  const r = await scopedRun(argv, ['search']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.deepEqual(
    doc.rows.map((x) => x.team),
    ['search'],
  );
  const row = doc.rows[0]!;
  assert.ok(org.totalCostUsd > row.totalCostUsd, 'the fixture has other teams');
  // Before: shareOfTotal was the team's share of the whole organisation: total / share = the org's total.
  assert.equal(row.shareOfTotal, 1);
  assert.ok(!r.stdout.includes(String(org.totalCostUsd)), 'the org total appears nowhere');
});
