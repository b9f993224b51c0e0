/**
 * The demo's anomaly incidents (what `tally anomalies --from --to` reports over the demo period: one incident per
 * underlying event, idle capacity as ongoing waste) graded against the injected incidents. An injected incident
 * is found when exactly the incidents that overlap its window, name its app or deployment (as root cause or as a
 * scope seen) and move its way (an idle deployment is waste; the others add spend) exist; the delay is from its
 * start to when the first matching incident could be known. Incidents that match none are the others.
 */
import type { TallyConfig } from '../core/index.js';
import { scanIncidents, scanSettings, type Incident } from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import type { IncidentTruth } from './_incidents.js';

/** One injected incident and the reported incident(s) that match it. */
export interface IncidentGrade {
  id: string;
  kind: string;
  start: string;
  end: string;
  found: boolean;
  /** The earliest matching reported incident (null when missed). */
  match: {
    id: string;
    kind: string;
    start: string;
    impactUsd: number;
    rootCause: string;
    scopes: number;
  } | null;
  /** Reported incidents matching this one (1 when the event is reported once). */
  matches: number;
  /** Hours from the injected start to when the first match could be known (null when missed). */
  detectionDelayHours: number | null;
}

/** The reported incidents and their grading. */
export interface DemoAnomalies {
  from: string;
  to: string;
  /** Incidents reported over the period. */
  count: number;
  /** The reported incidents, largest impact first (up to 10). */
  top: {
    id: string;
    kind: string;
    start: string;
    end: string;
    severity: string;
    impactUsd: number;
    wastePerDayUsd: number | null;
    ongoing: boolean;
    rootCause: string;
    scopes: number;
  }[];
  incidents: IncidentGrade[];
  found: number;
  missed: number;
  /** Reported incidents that match no injected one (false alarms, or real swings of the synthetic traffic). */
  unmatched: number;
}

/** Scans the demo period for incidents and grades them against the recorded ones. */
export async function demoAnomalies(
  store: CostStore,
  startMs: number,
  endMs: number,
  truths: readonly IncidentTruth[],
  config: TallyConfig | undefined,
): Promise<DemoAnomalies> {
  const found = await scanIncidents(store, new Date(startMs), new Date(endMs), scanSettings(config));
  const grades = truths.map((t) => grade(t, found));
  return {
    from: new Date(startMs).toISOString(),
    to: new Date(endMs).toISOString(),
    count: found.length,
    top: found.slice(0, 10).map((i) => ({
      id: i.id,
      kind: i.kind,
      start: i.start,
      end: i.end,
      severity: i.severity,
      impactUsd: i.impactUsd,
      wastePerDayUsd: i.wastePerDayUsd,
      ongoing: i.ongoing,
      rootCause: i.rootCause,
      scopes: i.scopes.length,
    })),
    incidents: grades,
    found: grades.filter((g) => g.found).length,
    missed: grades.filter((g) => !g.found).length,
    unmatched: found.filter((i) => !truths.some((t) => matches(i, t))).length,
  };
}

/** The reported incident is the injected one: overlapping, naming its app or deployment, moving its way. */
function matches(i: Incident, t: IncidentTruth): boolean {
  const overlaps = Date.parse(i.start) < Date.parse(t.end) && Date.parse(i.end) > Date.parse(t.start);
  const names = [t.scope.app, t.scope.deployment]
    .filter((n): n is string => !!n)
    .some((n) => i.rootCause.includes(`=${n}`) || i.scopes.some((s) => s.endsWith(`=${n}`)));
  return overlaps && names && (t.kind === 'idle-fine-tuned-deployment') === (i.kind === 'idle');
}

function grade(t: IncidentTruth, found: readonly Incident[]): IncidentGrade {
  const hits = found.filter((i) => matches(i, t)).sort((a, b) => a.detectedAt.localeCompare(b.detectedAt));
  const m = hits[0];
  return {
    id: t.id,
    kind: t.kind,
    start: t.start,
    end: t.end,
    found: m !== undefined,
    match: m
      ? {
          id: m.id,
          kind: m.kind,
          start: m.start,
          impactUsd: m.impactUsd,
          rootCause: m.rootCause,
          scopes: m.scopes.length,
        }
      : null,
    matches: hits.length,
    detectionDelayHours: m ? Math.max(0, (Date.parse(m.detectedAt) - Date.parse(t.start)) / 3_600_000) : null,
  };
}
