/**
 * Anomalies over the demo period (daily over all of it, hourly over up to its last 90 days) graded against the injected
 * incidents: each incident is found when an episode that starts in its window, moving the right way, names its app or
 * deployment (as the scope or in the root cause), and the delay is from the incident's start to the end of the
 * first flagged bucket (when the anomaly could first be known).
 */
import type { TallyConfig } from '../core/index.js';
import { GRAIN_MS, scanStore, type SpendAnomaly } from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import type { IncidentTruth } from './_incidents.js';

/**
 * Hourly scanning covers at most the last this many days (all of the default 90-day demo): every scope at 24
 * points a day is the slow part, about 2 CPU-seconds more than a 14-day hourly window on the default demo.
 */
export const HOURLY_SCAN_DAYS = 90;
const DAY = 86_400_000;

/** One incident and whether the detector found it. */
export interface IncidentGrade {
  id: string;
  kind: string;
  start: string;
  end: string;
  found: boolean;
  /** The earliest matching episode (null when missed). */
  match: {
    grain: string;
    source: string;
    scope: string;
    kind: string;
    timestamp: string;
    impactUsd: number;
    rootCause: string;
  } | null;
  /** Hours from the incident's start to the end of the first flagged bucket (null when missed). */
  detectionDelayHours: number | null;
  /** Whether the hourly scan covered the incident's start (else only the daily scan could find it). */
  hourlyCovered: boolean;
}

/** Anomalies found and their grading. */
export interface DemoAnomalies {
  from: string;
  to: string;
  hourlyFrom: string;
  count: number;
  /** The largest episodes by impact (up to 10). */
  top: {
    grain: string;
    source: string;
    scope: string;
    kind: string;
    timestamp: string;
    end: string;
    actualUsd: number;
    expectedUsd: number;
    impactUsd: number;
    rootCause: { dimension: string; value: string; contributionUsd: number }[];
  }[];
  incidents: IncidentGrade[];
  found: number;
  missed: number;
  /** Episodes that overlap no incident window (false alarms, or real swings of the synthetic traffic). */
  unmatched: number;
}

/** Scans the demo period and grades the result against the recorded incidents. */
export async function demoAnomalies(
  store: CostStore,
  startMs: number,
  endMs: number,
  incidents: readonly IncidentTruth[],
  config: TallyConfig | undefined,
  hourlyDays = HOURLY_SCAN_DAYS,
): Promise<DemoAnomalies> {
  const cfg = config?.anomalies;
  const settings = {
    threshold: cfg?.threshold,
    minImpactUsd: cfg?.minImpactUsd,
    minImpactPct: cfg?.minImpactPct,
  };
  const hourlyFrom = Math.max(startMs, endMs - hourlyDays * DAY);
  const found = [
    ...(await scanStore(store, new Date(startMs), new Date(endMs), { ...settings, grains: ['day'] })),
    ...(await scanStore(store, new Date(hourlyFrom), new Date(endMs), { ...settings, grains: ['hour'] })),
  ].sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
  const grades = incidents.map((i) => gradeIncident(i, found, hourlyFrom));
  const unmatched = found.filter((a) => !incidents.some((i) => overlapsIncident(a, i))).length;
  return {
    from: new Date(startMs).toISOString(),
    to: new Date(endMs).toISOString(),
    hourlyFrom: new Date(hourlyFrom).toISOString(),
    count: found.length,
    top: found.slice(0, 10).map((a) => ({
      grain: a.grain,
      source: a.source,
      scope: a.scope,
      kind: a.kind,
      timestamp: a.timestamp,
      end: a.end,
      actualUsd: a.actualUsd,
      expectedUsd: a.expectedUsd,
      impactUsd: a.impactUsd,
      rootCause: a.rootCause.slice(0, 3).map((r) => ({
        dimension: r.dimension,
        value: r.value,
        contributionUsd: r.contributionUsd,
      })),
    })),
    incidents: grades,
    found: grades.filter((g) => g.found).length,
    missed: grades.filter((g) => !g.found).length,
    unmatched,
  };
}

/** The episode's [start, end of its last bucket) overlaps the incident window (one bucket of slack before). */
function overlapsIncident(a: SpendAnomaly, i: IncidentTruth): boolean {
  const step = GRAIN_MS[a.grain];
  const aStart = Date.parse(a.timestamp);
  const aEnd = Math.max(Date.parse(a.end), aStart) + step;
  return aStart < Date.parse(i.end) && aEnd > Date.parse(i.start) - step;
}

/**
 * Whether the episode names the incident's app or deployment (its team only when it has neither: a team runs
 * several apps, so naming the team alone would credit one incident with another's episode).
 */
function namesIncident(a: SpendAnomaly, i: IncidentTruth): boolean {
  const specific = [i.scope.app, i.scope.deployment].filter((n): n is string => !!n);
  const names = (specific.length ? specific : [i.scope.team]).map((n) => n.toLowerCase());
  const hit = (v: string) => {
    const low = v.toLowerCase();
    return names.some((n) => low === n || low.endsWith(`/${n}`));
  };
  const scopeValue = a.scope.includes('=') ? a.scope.slice(a.scope.indexOf('=') + 1) : '';
  return hit(scopeValue) || a.rootCause.some((r) => hit(r.value));
}

/**
 * Whether the episode can be the incident: its first flagged bucket contains part of the incident (an episode that
 * starts with an unrelated bucket before it does not count) and it moves the right way (an idle deployment is a
 * drop; the others add spend).
 */
function fitsIncident(a: SpendAnomaly, i: IncidentTruth): boolean {
  const first = Date.parse(a.timestamp);
  if (!(first + GRAIN_MS[a.grain] > Date.parse(i.start) && first < Date.parse(i.end))) return false;
  const down = a.kind === 'drop' || a.kind === 'idle';
  return i.kind === 'idle-fine-tuned-deployment' ? down : !down && a.impactUsd > 0;
}

function gradeIncident(i: IncidentTruth, found: readonly SpendAnomaly[], hourlyFrom: number): IncidentGrade {
  const startMs = Date.parse(i.start);
  const knownAt = (a: SpendAnomaly) => Date.parse(a.timestamp) + GRAIN_MS[a.grain];
  const matches = found
    .filter((a) => fitsIncident(a, i) && namesIncident(a, i))
    .sort((a, b) => knownAt(a) - knownAt(b));
  const m = matches[0];
  return {
    id: i.id,
    kind: i.kind,
    start: i.start,
    end: i.end,
    found: m !== undefined,
    match: m
      ? {
          grain: m.grain,
          source: m.source,
          scope: m.scope,
          kind: m.kind,
          timestamp: m.timestamp,
          impactUsd: m.impactUsd,
          rootCause: m.rootCause
            .slice(0, 2)
            .map((r) => `${r.dimension}=${r.value}`)
            .join(', '),
        }
      : null,
    detectionDelayHours: m ? Math.max(0, (knownAt(m) - startMs) / 3_600_000) : null,
    hourlyCovered: startMs >= hourlyFrom,
  };
}
