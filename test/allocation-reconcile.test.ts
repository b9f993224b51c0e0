import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from './cli.js';
import {
  insertCostRows,
  insertUsage,
  seedStandardOrg,
  withStore,
  type FixtureCostRow,
  inTempDir,
} from './_allocation-fixture.js';

interface ReconRow {
  deployment?: string;
  model?: string;
  day?: string;
  meteredCostUsd: number;
  billedCostUsd: number;
  varianceUsd: number;
  unexplainedUsd: number;
  flagged: boolean;
  explanation: string;
  components: { kind: string; amountUsd: number }[];
}

const cents = (x: number) => Math.round(x * 100);
const tokenRow = (deployment: string, cost: string, list: string | null): FixtureCostRow => ({
  ChargePeriodStart: '2026-03-02T00:00:00Z',
  ResourceName: deployment,
  x_AiModel: 'gpt-4o',
  x_AiService: 'openai',
  x_AiDeploymentType: 'global-standard',
  x_AiTokenType: 'input',
  EffectiveCost: cost,
  BilledCost: cost,
  ListCost: list,
});

async function reconcileDoc(db: string, by?: string) {
  const r = await runCli([
    'reconcile',
    '--db',
    db,
    '--period',
    '2026-03',
    '--json',
    ...(by ? ['--by', by] : []),
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.json<{ rows: ReconRow[]; flaggedCount: number }>();
}

test('reconcile --json explains a negotiated discount and bypassed traffic, and flags what it cannot explain', async () => {
  await inTempDir('tally-recon-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, async (s) => {
      const u = (deployment: string, costUsd: string) => ({
        team: 'a',
        deployment,
        model: 'gpt-4o-2024-08-06',
        at: '2026-03-02T12:00:00Z',
        input: 1000,
        output: 0,
        costUsd,
      });
      // Ledger priced everything at list ($10 each).
      await insertUsage(s, [u('discounted', '10'), u('leaky', '10'), u('mystery', '10')]);
      // This one the ledger already prices at the 20% discount ($8 for $10 of list).
      await insertUsage(s, [{ ...u('leaky-priced', '8'), listCostUsd: '10' }]);
      await insertCostRows(s, [
        tokenRow('discounted', '8', '10'), // 20% negotiated discount
        tokenRow('leaky', '16', '20'), // twice the list volume the gateway saw, at 20% off
        tokenRow('mystery', '30', null), // EA-style: no list cost; billed 3x what was metered
        tokenRow('leaky-priced', '16', '20'), // same discount as the ledger, twice the volume
      ]);
    });
    const doc = await reconcileDoc(db);
    const by: Record<string, ReconRow> = Object.fromEntries(doc.rows.map((r) => [r.deployment ?? '', r]));
    for (const r of doc.rows) {
      assert.equal(typeof r.explanation, 'string');
      assert.equal(cents(r.varianceUsd), cents(r.billedCostUsd - r.meteredCostUsd));
    }
    const d = by['discounted']!;
    assert.equal(cents(d.meteredCostUsd), 1000);
    assert.equal(cents(d.billedCostUsd), 800);
    assert.equal(d.flagged, false);
    assert.match(d.explanation, /discount/);
    assert.equal(cents(d.unexplainedUsd), 0);
    const l = by['leaky']!;
    // Variance +6 = +10 of list volume outside the gateway - 4 of discount.
    assert.equal(cents(l.varianceUsd), 600);
    assert.equal(cents(l.components.find((c) => c.kind === 'bypassed-gateway')!.amountUsd), 1000);
    assert.equal(cents(l.components.find((c) => c.kind === 'negotiated-discount')!.amountUsd), -400);
    assert.match(l.explanation, /bypassed the gateway/);
    assert.equal(l.flagged, false);
    const m = by['mystery']!;
    assert.equal(m.flagged, true);
    assert.equal(cents(m.unexplainedUsd), 2000);
    assert.match(m.explanation, /UNEXPLAINED/);
    assert.equal(doc.flaggedCount, 1);
    // Same discount on both sides: one bypass part, the extra $10 of list as billed ($8).
    const lp = by['leaky-priced']!;
    assert.deepEqual(
      lp.components.map((c) => [c.kind, cents(c.amountUsd)]),
      [['bypassed-gateway', 800]],
    );
    assert.equal(cents(lp.unexplainedUsd), 0);
  });
});

test('reconcile by model and by day regroup the same money, PTU hours are explained as billed by the hour', async () => {
  await inTempDir('tally-recon-', async (dir) => {
    const db = join(dir, 't.duckdb');
    await withStore(db, seedStandardOrg);
    const run = async (by: string) => {
      const r = await runCli(['reconcile', '--db', db, '--period', '2026-01', '--by', by, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return r.json<{ rows: ReconRow[] }>().rows;
    };
    const [dep, model, day] = await Promise.all([run('deployment'), run('model'), run('day')]);
    const total = (rows: ReconRow[], f: (r: ReconRow) => number) => cents(rows.reduce((a, r) => a + f(r), 0));
    for (const rows of [model, day]) {
      assert.equal(
        total(rows, (r) => r.billedCostUsd),
        total(dep, (r) => r.billedCostUsd),
      );
      assert.equal(
        total(rows, (r) => r.meteredCostUsd),
        total(dep, (r) => r.meteredCostUsd),
      );
    }
    assert.equal(
      total(dep, (r) => r.billedCostUsd),
      cents(171),
    );
    const ptu = dep.find((r) => r.deployment === 'ptu-1')!;
    assert.equal(ptu.components[0]!.kind, 'capacity-hours');
    assert.equal(ptu.flagged, false);
    assert.ok(model.some((r) => r.model === 'gpt-4o'));
    assert.ok(day.every((r) => /^2026-01-\d{2}$/.test(r.day!)));
  });
});
