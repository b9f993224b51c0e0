/**
 * The store side of an ingest run, in portable SQL: re-ingest detection, month-to-date slice replacement and
 * the Azure actual/amortized settlement. The rows themselves arrive through each backend's `loadCostRows`.
 */
import type { SqlRunner } from './dialect.js';

/** Whether a file with these bytes was ingested already. */
export async function isIngested(r: SqlRunner, fileHash: string): Promise<boolean> {
  return (await r.query('SELECT 1 AS x FROM ingests WHERE file_hash = $1 LIMIT 1', [fileHash])).length > 0;
}

/** Deletes the rows of earlier runs in each slice; returns how many. */
export async function replaceCostSlices(
  r: SqlRunner,
  runId: string,
  slices: readonly string[],
): Promise<number> {
  let replaced = 0;
  for (const slice of [...new Set(slices)]) {
    const where = '_slice_key = $1 AND NOT starts_with(_ingest_id, $2)';
    const [old] = await r.query(`SELECT count(*) AS n FROM cost_rows WHERE ${where}`, [slice, runId]);
    const n = Number(old?.['n'] ?? 0);
    if (n === 0) continue;
    await r.exec(`DELETE FROM cost_rows WHERE ${where}`, [slice, runId]);
    replaced += n;
  }
  return replaced;
}

const PURCHASE = `"ChargeCategory" = 'Purchase' AND "CommitmentDiscountId" IS NOT NULL`;

/** Once both datasets of an Azure slice are stored, the actual one keeps only its commitment purchases. */
export async function settleAzureDatasets(r: SqlRunner, slices: readonly string[]): Promise<void> {
  const pairs = new Set<string>();
  for (const s of slices) if (s.startsWith('azure-')) pairs.add(s.replace(/^azure-(actual|amortized):/, ''));
  for (const rest of pairs) {
    const actual = `azure-actual:${rest}`;
    const has = await r.query('SELECT 1 AS x FROM cost_rows WHERE _slice_key = $1 LIMIT 1', [
      `azure-amortized:${rest}`,
    ]);
    if (has.length === 0) continue;
    await r.exec(`DELETE FROM cost_rows WHERE _slice_key = $1 AND NOT (${PURCHASE})`, [actual]);
    await r.exec(`UPDATE cost_rows SET "EffectiveCost" = 0 WHERE _slice_key = $1 AND ${PURCHASE}`, [actual]);
  }
}
