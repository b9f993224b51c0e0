/**
 * Checks `tally anomalies --db` against the demo's ground truth (kv namespace "demo", key "incidents"): an
 * incident counts as found when an anomaly episode overlaps its window and its scope or root cause names one of
 * the incident's scope values (team, app, deployment). Also counts episodes that match no incident.
 * Usage: node --import tsx bench/eval-demo-incidents.ts --db PATH  (build one with `tally demo --no-serve`)
 */
import { parseArgs } from 'node:util';
import { duckdbSql, openStore } from '../src/store/index.js';
import { scanStore, type SpendAnomaly } from '../src/analytics/anomalies/index.js';

interface Incident {
  id: string;
  kind: string;
  scope: Record<string, string>;
  start: string;
  end: string;
}

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (!values.db) throw new Error('give --db PATH');
const store = await openStore({ path: values.db, readOnly: true });
const raw = await store.getMeta('demo', 'incidents');
const incidents = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Incident[];
const range = await duckdbSql(store).query(
  'SELECT min(start_time) AS a, max(start_time) AS b FROM usage_events',
);
const first = new Date(String(range[0]?.['a']));
const to = new Date(Date.parse(String(range[0]?.['b'])) + 3_600_000);
// Report from day 8 on: the first week is the cold-start tier.
const from = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate() + 7));
const t0 = performance.now();
const anomalies = await scanStore(store, from, to);
const ms = performance.now() - t0;
await store.close();

const names = (a: SpendAnomaly) => [a.scope.split('=')[1] ?? '', ...a.rootCause.map((c) => c.value)];
const matches = (a: SpendAnomaly, i: Incident) =>
  Date.parse(a.timestamp) < Date.parse(i.end) &&
  Date.parse(a.end) > Date.parse(i.start) &&
  names(a).some((n) => Object.values(i.scope).includes(n));
const results = incidents.map((i) => {
  const hits = anomalies
    .filter((a) => matches(a, i))
    .sort((x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp));
  const firstHit = hits[0];
  return {
    id: i.id,
    kind: i.kind,
    found: hits.length > 0,
    episodes: hits.length,
    firstDetectedAt: firstHit?.timestamp ?? null,
    // Detectable once the first flagged bucket is complete (an hour, or a UTC day).
    delayHours: hits.length
      ? Math.max(
          0,
          Math.min(
            ...hits.map((h) => Date.parse(h.timestamp) + (h.grain === 'day' ? 86_400_000 : 3_600_000)),
          ) - Date.parse(i.start),
        ) / 3_600_000
      : null,
    kinds: [...new Set(hits.map((h) => `${h.grain}/${h.metric}/${h.kind}`))],
  };
});
const unmatched = anomalies.filter((a) => !incidents.some((i) => matches(a, i)));
console.log(
  JSON.stringify(
    {
      window: { from: from.toISOString(), to: to.toISOString() },
      episodes: anomalies.length,
      incidentsFound: results.filter((r) => r.found).length,
      incidents: results.length,
      unmatchedEpisodes: unmatched.length,
      unmatchedAtScopeAll: unmatched.filter((a) => a.scope === 'all').length,
      scanMs: Math.round(ms),
      unmatched: unmatched.map(
        (a) => `${a.source} ${a.scope} ${a.grain} ${a.kind} ${a.timestamp} ${a.impactUsd.toFixed(2)}`,
      ),
      results,
    },
    null,
    2,
  ),
);
