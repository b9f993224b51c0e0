/** Turns incidents, anomaly episodes and budget statuses into alert events with stable keys and change fingerprints. */
import type { SpendAnomaly, BudgetStatus } from '../analytics/index.js';
import type { AlertEvent } from './_format.js';
import { incidentTeams, type IncidentView } from './_incidents.js';

const money = (v: number) => `$${v.toFixed(2)}`;

/** One alert per anomaly episode; it updates when the episode grows (impact band doubles or more points). */
export function anomalyAlert(a: SpendAnomaly): AlertEvent {
  const cause = a.rootCause
    .slice(0, 3)
    .map((c) => `${c.dimension}=${c.value} (${c.contributionUsd >= 0 ? '+' : ''}${money(c.contributionUsd)})`)
    .join(', ');
  const pct =
    a.impactPct === null ? '' : ` (${a.impactPct >= 0 ? '+' : ''}${(a.impactPct * 100).toFixed(0)}%)`;
  // Impact band: powers of two in dollars, so a growing episode updates a few times, not every run.
  const band = Math.round(Math.log2(Math.max(1, Math.abs(a.impactUsd))));
  return {
    key: `anomaly:${a.id}`,
    kind: 'anomaly',
    title: `Spend ${a.kind} in ${a.scope} (${a.source}, ${a.grain})`,
    text: `${money(a.actualUsd)} vs ${money(a.expectedUsd)} expected${pct} from ${a.timestamp} to ${a.end}.${cause ? ` Root cause: ${cause}.` : ''}`,
    facts: [
      ['Scope', a.scope],
      ['Impact', money(a.impactUsd)],
      ['Actual', money(a.actualUsd)],
      ['Expected', money(a.expectedUsd)],
      ['Score', a.score.toFixed(1)],
      ['Start', a.timestamp],
    ],
    fingerprint: `${a.end}|${band}`,
    impactUsd: Math.abs(a.impactUsd),
    data: a,
  };
}

/**
 * One alert per incident (key `incident:<id>`); an update only when its impact band (powers of two in dollars)
 * changes or it reopens, and never within the quiet period. Routed to the teams it touches.
 */
export function incidentAlert(i: IncidentView): AlertEvent {
  const band = Math.round(Math.log2(Math.max(1, Math.abs(i.impactUsd))));
  const waste =
    i.wastePerDayUsd !== null
      ? `Billing ${money(i.wastePerDayUsd)}/day with no traffic since ${i.start.slice(0, 10)}${i.ongoing ? ' (ongoing)' : ''}; ${money(i.totalWasteUsd ?? 0)} so far.`
      : `${i.kind} of ${money(i.impactUsd)} from ${i.start} to ${i.end}.`;
  return {
    key: `incident:${i.id}`,
    kind: 'anomaly',
    title: `${i.severity} ${i.kind === 'idle' ? 'idle capacity' : `spend ${i.kind}`}: ${i.rootCause}`,
    text: `${waste} Seen at ${i.scopes.length} scope(s): ${i.scopes.slice(0, 6).join('; ')}.`,
    facts: [
      ['Root cause', i.rootCause],
      ['Impact', money(i.impactUsd)],
      ['Severity', i.severity],
      ['Start', i.start],
      ['State', i.state],
    ],
    fingerprint: `${band}|${i.reopened ? `reopened:${i.start}` : 'open'}`,
    impactUsd: Math.abs(i.impactUsd),
    teams: incidentTeams(i),
    data: i,
  };
}

/** One alert per crossed threshold per budget period (sent once). */
export function budgetAlerts(b: BudgetStatus): AlertEvent[] {
  return b.crossed.map((c) => ({
    key: `budget:${b.id}:${b.periodStart}:${c.type}:${c.percent}`,
    kind: 'budget' as const,
    title: `Budget ${b.id}: ${c.type} spend ${c.type === 'forecast' ? 'forecast to reach' : 'reached'} ${c.percent}%`,
    text: `${b.scope}: spent ${money(b.spentUsd)} of ${money(b.amountUsd)}; forecast at period end ${money(b.forecastUsd)} (p10 ${money(b.forecastP10Usd)}, p90 ${money(b.forecastP90Usd)}).`,
    facts: [
      ['Budget', money(b.amountUsd)],
      ['Spent', money(b.spentUsd)],
      ['Forecast', money(b.forecastUsd)],
      ['Period', `${b.periodStart.slice(0, 10)} to ${b.periodEnd.slice(0, 10)}`],
    ],
    fingerprint: 'crossed',
    impactUsd: Math.max(0, b.forecastUsd - b.amountUsd),
    data: b,
  }));
}
