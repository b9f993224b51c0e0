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
import type { KpiRow } from './_kpis.js';

/** Marker in business_kpis.source for demo rows. */
export const DEMO_SOURCE = 'demo';

/** Removes every row an earlier demo run stored (usage, the ingested export and its record, KPIs). */
export async function clearDemo(store: CostStore, exportFile: string): Promise<void> {
  await store.deleteUsageByIdPrefix('demo-');
  await store.deleteCostSource(exportFile);
  await store.deleteKpis(DEMO_SOURCE);
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

/** Stores the KPI series (the same rows the demo writes to its CSV). */
export async function loadKpis(store: CostStore, kpis: readonly KpiRow[]): Promise<void> {
  await store.insertKpis(
    kpis.map((k) => ({
      day: k.date,
      app: k.app === '' ? null : k.app,
      team: k.team === '' ? null : k.team,
      metric: k.metric,
      value: k.value,
      source: DEMO_SOURCE,
    })),
  );
}
