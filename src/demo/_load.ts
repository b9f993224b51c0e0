/**
 * Stores the demo's derived data: the cost export goes in through `tally ingest`'s own loader (so its slice keys,
 * classification and ingest record are exactly what a later `tally ingest` of the same file expects, and that
 * later ingest finds the file unchanged rather than doubling it), the KPI series into business_kpis. An earlier
 * demo is cleared first so re-running replaces rather than doubles.
 */
import { join } from 'node:path';
import { TallyError } from '../core/index.js';
import { ingestFiles } from '../ingest/index.js';
import type { CostStore } from '../store/index.js';

/** Marker in business_kpis.source for demo rows. */
export const DEMO_SOURCE = 'demo';

/** Removes every row an earlier demo run stored (usage, the ingested export and its record, KPIs). */
export async function clearDemo(store: CostStore, exportFile: string): Promise<void> {
  await store.exec("DELETE FROM usage_events WHERE id LIKE 'demo-%'");
  await store.exec('DELETE FROM cost_rows WHERE _source_file = $1', [exportFile]);
  await store.exec('DELETE FROM ingests WHERE file = $1', [exportFile]);
  await store.exec('DELETE FROM business_kpis WHERE source = $1', [DEMO_SOURCE]);
}

/** Ingests the export CSV; every row must load (the demo writes valid FOCUS, so a rejection is a bug). */
export async function ingestExport(store: CostStore, exportFile: string, demoDir: string): Promise<number> {
  const r = await ingestFiles(store, {
    paths: [exportFile],
    format: 'focus',
    quarantineDir: join(demoDir, 'quarantine'),
  });
  if (r.rowsRejected > 0)
    throw new TallyError(
      'internal',
      `the demo's cost export had ${r.rowsRejected} rejected rows; see ${r.quarantine ?? demoDir}`,
    );
  return r.rowsLoaded;
}

/** Stores the KPI series from its CSV. */
export async function loadKpis(store: CostStore, kpiFile: string): Promise<void> {
  await store.exec(
    `INSERT INTO business_kpis SELECT CAST(date AS DATE), app, team, metric, CAST(value AS DECIMAL(38,6)), '${DEMO_SOURCE}'
     FROM read_csv('${kpiFile.replace(/'/g, "''")}', header = true, all_varchar = true)`,
  );
}
