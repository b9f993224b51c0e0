import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

interface ForecastJson {
  month: string;
  basis: string;
  committedUsd: number;
  variableP50Usd: number;
  p10Usd: number;
  p50Usd: number;
  p90Usd: number;
  actualUsd?: number;
  errorPct?: number;
}

test("the demo's forecast of next month's bill is within 10% of the bill the demo then produces", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-next-month-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'tally.duckdb');
  // Four weeks of history to the end of October, then November is generated too and billed.
  const r = await runCli(
    ['demo', '--no-serve', '--json', '--db', db, '--days', '28', '--end', '2026-11-01', '--next-month'],
    { timeoutMs: 600_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const f = r.json<{ forecast: ForecastJson }>().forecast;
  assert.equal(f.month, '2026-11');
  assert.equal(f.basis, 'export');
  // Most of the bill is committed capacity; the rest is forecast usage.
  assert.ok(f.committedUsd > 0 && f.variableP50Usd > 0, JSON.stringify(f));
  assert.ok(Math.abs(f.p50Usd - f.committedUsd - f.variableP50Usd) < 1e-6);
  assert.ok(f.actualUsd !== undefined && f.actualUsd > 0);
  // The bill is what chargeback says November cost, from the same store.
  const cb = await runCli(['chargeback', '--db', db, '--json', '--period', '2026-11']);
  assert.equal(cb.code, 0, cb.stderr);
  assert.equal(cb.json<{ totalCostUsd: number }>().totalCostUsd, f.actualUsd);
  const error = Math.abs(f.p50Usd - f.actualUsd) / f.actualUsd;
  assert.ok(error <= 0.1, `forecast ${f.p50Usd} vs bill ${f.actualUsd}: ${(error * 100).toFixed(1)}% off`);
  assert.ok(Math.abs((f.errorPct ?? NaN) - ((f.p50Usd - f.actualUsd) / f.actualUsd) * 100) < 1e-9);
});
