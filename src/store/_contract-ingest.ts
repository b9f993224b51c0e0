/**
 * Contract tests for the store side of ingest (every backend): a cost-rows file loads as one ingest's rows
 * and loading it again changes nothing; a file with a bad value loads nothing; month-to-date slices are
 * replaced; Azure's actual and amortized datasets settle. Registered by runStoreContract.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COST_ROW_FILE_COLUMNS } from './focus-columns.js';
import type { CostRowInput } from './reports.js';
import type { CostStore } from './store.js';

const W = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };

/** A cost-rows file as the layout says (CSV, no header, \N for NULL), written from rows. */
function costRowsCsv(rows: readonly CostRowInput[]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '\\N';
    const s = String(v);
    return /[",\n\r]/.test(s) || s === '\\N' || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const line = (r: CostRowInput) =>
    COST_ROW_FILE_COLUMNS.map((c) => {
      const book: Record<string, string | number | null> = {
        _row_id: r.rowId,
        _source_file: r.sourceFile,
        _source_line: r.sourceLine,
        _slice_key: r.sliceKey,
        _ingest_id: r.ingestId,
      };
      return cell(c in book ? book[c]! : (r.values[c] ?? null));
    }).join(',');
  return rows.map(line).join('\n') + '\n';
}

const row = (
  id: string,
  ingestId: string,
  values: Record<string, string | null>,
  slice = 'focus:acct:2026-03',
) => ({
  rowId: id,
  sourceFile: 'export.csv',
  sourceLine: null,
  sliceKey: slice,
  ingestId,
  values: {
    ChargePeriodStart: '2026-03-02T00:00:00Z',
    ServiceCategory: 'AI and Machine Learning',
    ...values,
  },
});

/** Registers the ingest-side contract tests for one backend. */
export function runIngestContract(
  backend: string,
  withStore: (fn: (s: CostStore) => Promise<void>) => Promise<void>,
) {
  const withFile = async (rows: readonly CostRowInput[] | string, fn: (path: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-costrows-'));
    const path = join(dir, 'rows.csv');
    writeFileSync(path, typeof rows === 'string' ? rows : costRowsCsv(rows));
    try {
      await fn(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test(`${backend}: a cost-rows file loads as one ingest's rows, exactly, and loading it again changes nothing`, () =>
    withStore(async (s) => {
      const rows = [
        row('r1', 'run-0', {
          BilledCost: '0.0000000001',
          ListCost: '12345678901234567890.5',
          ResourceName: 'a "quoted", multi\nline name',
          Tags: '{"team":"search","note":"\\\\N"}',
          x_AiModel: '',
        }),
        row('r2', 'run-0', {
          BilledCost: '-3.25',
          ChargePeriodStart: '2026-03-31T23:59:59Z',
          ResourceName: '\\N',
        }),
      ];
      await withFile(rows, async (path) => {
        assert.equal(await s.loadCostRows({ path, ingestId: 'run-0', format: 'csv' }), 2);
        assert.equal(await s.loadCostRows({ path, ingestId: 'run-0', format: 'csv' }), 2);
      });
      const got = await s.costRows(W, []);
      assert.equal(got.length, 2);
      const [a, b] = got.map((g) => g.values);
      assert.equal(a!['BilledCost'], '0.0000000001');
      assert.equal(a!['ListCost'], '12345678901234567890.5000000000');
      assert.equal(a!['ResourceName'], 'a "quoted", multi\nline name');
      assert.deepEqual(JSON.parse(a!['Tags']!), { team: 'search', note: '\\N' });
      assert.equal(b!['BilledCost'], '-3.2500000000');
      assert.equal(b!['ChargePeriodStart'], '2026-03-31T23:59:59Z');
      // A literal \N quoted in the file is text, not NULL.
      assert.equal(b!['ResourceName'], '\\N');
    }));

  test(`${backend}: a cost-rows file with a value that does not parse loads nothing`, () =>
    withStore(async (s) => {
      const good = costRowsCsv([row('r1', 'run-1', { BilledCost: '1' })]);
      const bad = costRowsCsv([row('r2', 'run-1', { BilledCost: 'twelve' })]);
      await withFile(good + bad, async (path) => {
        await assert.rejects(s.loadCostRows({ path, ingestId: 'run-1', format: 'csv' }));
      });
      assert.deepEqual(await s.costRows(W, []), []);
    }));

  test(`${backend}: a file is known by its hash once recorded, and a newer run replaces its slices`, () =>
    withStore(async (s) => {
      assert.equal(await s.isIngested('h1'), false);
      await s.recordIngest({
        id: 'old-0',
        file: 'a.csv',
        fileHash: 'h1',
        format: 'focus',
        sliceKey: 'focus:acct:2026-03',
        rowsLoaded: 2,
        rowsRejected: 0,
        ingestedAt: new Date(),
      });
      assert.equal(await s.isIngested('h1'), true);
      await s.appendCostRows([
        row('o1', 'old-0', { BilledCost: '1' }),
        row('o2', 'old-0', { BilledCost: '2' }),
        row('x1', 'old-0', { BilledCost: '4' }, 'focus:other:2026-03'),
        row('n1', 'new-0', { BilledCost: '8' }),
      ]);
      assert.equal(await s.replaceCostSlices('new', ['focus:acct:2026-03']), 2);
      const left = (await s.costRows(W, [])).map((r) => r.values['BilledCost']).sort();
      assert.deepEqual(left, ['4.0000000000', '8.0000000000']);
    }));

  test(`${backend}: once both Azure datasets of a slice are in, the actual one keeps only commitment purchases at no effective cost`, () =>
    withStore(async (s) => {
      const actual = 'azure-actual:acct:2026-03';
      const purchase = {
        ChargeCategory: 'Purchase',
        CommitmentDiscountId: 'ri-1',
        BilledCost: '100',
        EffectiveCost: '100',
      };
      await s.appendCostRows([
        row('a1', 'r-0', purchase, actual),
        row('a2', 'r-0', { ChargeCategory: 'Usage', BilledCost: '5' }, actual),
      ]);
      await s.settleAzureDatasets([actual]);
      assert.equal((await s.costRows(W, [])).length, 2, 'no amortized twin yet: nothing changes');
      await s.appendCostRows([
        row('m1', 'r-1', { ChargeCategory: 'Usage', BilledCost: '7' }, 'azure-amortized:acct:2026-03'),
      ]);
      await s.settleAzureDatasets([actual]);
      const left = (await s.costRows(W, [])).map((r) => r.values);
      assert.deepEqual(
        left.map((v) => [v['ChargeCategory'], v['BilledCost'], Number(v['EffectiveCost'] ?? NaN)]).sort(),
        [
          ['Purchase', '100.0000000000', 0],
          ['Usage', '7.0000000000', NaN],
        ],
      );
    }));
}
