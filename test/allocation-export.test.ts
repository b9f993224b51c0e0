import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../src/core/index.js';
import { runCli } from './cli.js';
import { exportStandardOrgFocus, inTempDir } from './_allocation-fixture.js';

/** The exported CSV as objects keyed by header. */
function readCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

const nanos = (s: string) => BigInt(Math.round(Number(s) * 1e9));

test('export focus writes FOCUS rows whose allocated costs add up to the AI spend and that tally validate accepts', async () => {
  await inTempDir('tally-export-', async (dir) => {
    // A reservation purchase (billed now, amortised elsewhere) and a credit, to exercise the edges.
    const {
      out,
      db,
      cfg,
      result: r,
    } = await exportStandardOrgFocus(dir, [
      {
        ChargePeriodStart: '2026-01-01T00:00:00Z',
        ChargeCategory: 'Purchase',
        ChargeFrequency: 'One-Time',
        x_AiDeploymentType: 'provisioned-reservation',
        ResourceName: 'ptu-1',
        BilledCost: '720.00',
        EffectiveCost: '0',
        ConsumedQuantity: null,
        ConsumedUnit: null,
      },
      {
        ChargePeriodStart: '2026-01-20T00:00:00Z',
        ChargeCategory: 'Credit',
        x_AiService: 'openai',
        ResourceName: 'gpt4o-std',
        EffectiveCost: '-1.25',
        ConsumedQuantity: null,
        ConsumedUnit: null,
      },
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rows = readCsv(readFileSync(out, 'utf8'));
    for (const col of [
      'BilledCost',
      'EffectiveCost',
      'ChargePeriodStart',
      'AllocatedMethodId',
      'AllocatedResourceName',
      'AllocatedTags',
      'x_AiDeploymentType',
    ])
      assert.ok(col in rows[0]!, `missing column ${col}`);
    const sum = (f: (r: Record<string, string>) => string, keep = (_: Record<string, string>) => true) =>
      rows.filter(keep).reduce((a, x) => a + nanos(f(x) || '0'), 0n);
    // AI spend: 171 of the standard month, minus the 1.25 credit; the purchase is billed, not effective.
    assert.equal(
      sum((x) => x.EffectiveCost!),
      nanos('169.75'),
    );
    assert.equal(
      sum((x) => x.BilledCost!),
      nanos('169.75') + nanos('720'),
    );
    // Per consumer, the export agrees with chargeback.
    const cb = await runCli(['chargeback', '--db', db, '--config', cfg, '--period', '2026-01', '--json']);
    const doc = cb.json<{
      rows: { team: string; totalCostUsd: number }[];
      ledgerOnlyCostUsd: number;
      unallocatedCostUsd: number;
    }>();
    for (const t of doc.rows.filter((x) => x.team !== 'research'))
      assert.equal(
        sum(
          (x) => x.EffectiveCost!,
          (x) => x.AllocatedResourceName === t.team,
        ),
        nanos(String(t.totalCostUsd)),
      );
    assert.equal(
      sum(
        (x) => x.EffectiveCost!,
        (x) => x.AllocatedMethodId === 'tally-unallocated',
      ),
      nanos(String(doc.unallocatedCostUsd)),
    );
    // Contract: tally validate finds no errors in the file.
    const v = await runCli(['validate', out, '--json']);
    const report = v.json<{ errors: unknown[] }>();
    assert.deepEqual(report.errors, []);
    assert.equal(v.code, 0, v.stdout);
  });
});

test('export focus needs --out and a valid period', async () => {
  await inTempDir('tally-export-', async (dir) => {
    const r = await runCli(['export', 'focus', '--db', join(dir, 't.duckdb'), '--period', '2026-01']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--out/);
  });
});
