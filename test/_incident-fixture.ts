/** Test fixture: one stored spike incident two days ago, as the anomaly scan keeps it, with the index covering it. */
import type { CostStore } from '../src/store/index.js';

/** Stores a high-severity $120 spike incident from 3 to 2 days before `now` and returns it. */
export async function storeIncident(
  store: CostStore,
  now: Date,
  it: { id: string; scopes: string[]; rootCause: string; episodes?: string[] },
) {
  const day = 86_400_000;
  const incident = {
    id: it.id,
    kind: 'spike',
    start: new Date(now.getTime() - 3 * day).toISOString(),
    end: new Date(now.getTime() - 2 * day).toISOString(),
    ongoing: false,
    scopes: it.scopes,
    rootCause: it.rootCause,
    impactUsd: 120,
    severity: 'high',
    wastePerDayUsd: null,
    totalWasteUsd: null,
    impactTokens: null,
    detectedAt: new Date(now.getTime() - 2 * day).toISOString(),
    episodes: it.episodes ?? [],
  };
  await store.setMeta('incidents', incident.id, incident);
  await store.setMeta('incidents', '_index', {
    ids: [incident.id],
    coveredFrom: new Date(now.getTime() - 30 * day).toISOString(),
    coveredTo: now.toISOString(),
  });
  return incident;
}
