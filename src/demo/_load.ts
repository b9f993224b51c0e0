/**
 * Writes the demo's derived data into the store: the cost export rows (into cost_rows, via DuckDB's CSV reader
 * on a load file that adds the x_Ai* columns and bookkeeping), the KPI series, and clears an earlier demo first
 * so re-running replaces rather than doubles.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import type { CostStore } from '../store/index.js';
import { FOCUS_COLUMN_NAMES } from '../store/index.js';
import type { ExportRow } from './_export.js';

/** Marker in cost_rows._ingest_id and business_kpis.source for demo rows. */
export const DEMO_SOURCE = 'demo';

/** Removes every row an earlier demo run stored. */
export async function clearDemo(store: CostStore, exportFile: string): Promise<void> {
  await store.exec("DELETE FROM usage_events WHERE id LIKE 'demo-%'");
  await store.exec('DELETE FROM cost_rows WHERE _ingest_id = $1 OR _source_file = $2', [
    DEMO_SOURCE,
    exportFile,
  ]);
  await store.exec('DELETE FROM business_kpis WHERE source = $1', [DEMO_SOURCE]);
}

/** The slice an Azure export row belongs to: billing account and billing period (month-to-date replaces it). */
export function sliceKeyOf(row: Record<string, string | null>): string {
  return `${row['BillingAccountId'] ?? ''}|${(row['BillingPeriodStart'] ?? '').slice(0, 10)}`;
}

const q = (v: string | null | undefined) =>
  v === null || v === undefined ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** Loads export rows into cost_rows as if ingested from `exportFile` (line numbers match the CSV). */
export async function loadCostRows(
  store: CostStore,
  rows: readonly ExportRow[],
  exportFile: string,
  loadFile: string,
): Promise<void> {
  const meta = ['_row_id', '_source_file', '_source_line', '_slice_key', '_ingest_id'];
  const cols = [...meta, ...FOCUS_COLUMN_NAMES];
  const lines = [cols.join(',')];
  rows.forEach((r, i) => {
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.csv)) if (k.startsWith('x_') && v !== null) extra[k] = v;
    const values: Record<string, string | null> = {
      ...r.csv,
      _row_id: `demo-cost-${i}`,
      _source_file: exportFile,
      _source_line: String(i + 2),
      _slice_key: sliceKeyOf(r.csv),
      _ingest_id: DEMO_SOURCE,
      x_AiProvider: r.ai.provider,
      x_AiModel: r.ai.model,
      x_AiTokenType: r.ai.tokenType,
      x_AiDeploymentType: r.ai.deploymentType,
      x_AiService: r.ai.service,
      x_Extra: JSON.stringify(extra),
    };
    lines.push(cols.map((c) => q(values[c])).join(','));
  });
  writeFileSync(loadFile, lines.join('\n') + '\n');
  try {
    // Every column is read as text and cast by the INSERT to the table's exact types (DECIMAL, TIMESTAMPTZ, JSON).
    await store.exec(
      `INSERT INTO cost_rows BY NAME SELECT * FROM read_csv('${loadFile.replace(/'/g, "''")}', header = true, all_varchar = true, quote = '"', escape = '"', nullstr = '')`,
    );
  } finally {
    unlinkSync(loadFile);
  }
}

/** Stores the KPI series. */
export async function loadKpis(store: CostStore, kpiFile: string): Promise<void> {
  await store.exec(
    `INSERT INTO business_kpis SELECT CAST(date AS DATE), app, team, metric, CAST(value AS DECIMAL(38,6)), '${DEMO_SOURCE}'
     FROM read_csv('${kpiFile.replace(/'/g, "''")}', header = true, all_varchar = true)`,
  );
}
