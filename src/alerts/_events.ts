/** Turns incidents, anomaly episodes and budget statuses into alert events with stable keys and change fingerprints. */
import type { SpendAnomaly, BudgetStatus } from '../analytics/index.js';
import { formatUsd, parseUsd } from '../core/index.js';
import type { AlertEvent } from './_format.js';
import { incidentTeams, type IncidentView } from './_incidents.js';

/**
 * An amount in an alert, with its currency as the CLI prints it ("$12.50", "-$3.10", "12.50 EUR"; ADR 0041),
 * rounded half away from zero on the amount's decimal text, not on its binary float (2.675 is "$2.68").
 */
function money(v: number, currency = 'USD'): string {
  const text = Number.isFinite(v) ? formatUsd(parseUsd(v)) : String(v);
  const neg = text.startsWith('-');
  return currency === 'USD' ? `${neg ? '-' : ''}$${neg ? text.slice(1) : text}` : `${text} ${currency}`;
}

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
export function incidentAlert(i: IncidentView, currency = 'USD'): AlertEvent {
  const m = (v: number) => money(v, currency);
  const band = Math.round(Math.log2(Math.max(1, Math.abs(i.impactUsd))));
  const waste =
    i.wastePerDayUsd !== null
      ? `Billing ${m(i.wastePerDayUsd)}/day with no traffic since ${i.start.slice(0, 10)}${i.ongoing ? ' (ongoing)' : ''}; ${m(i.totalWasteUsd ?? 0)} so far.`
      : `${i.kind} of ${m(i.impactUsd)} from ${i.start} to ${i.end}.`;
  return {
    key: `incident:${i.id}`,
    kind: 'anomaly',
    title: `${i.severity} ${i.kind === 'idle' ? 'idle capacity' : `spend ${i.kind}`}: ${i.rootCause}`,
    text: `${waste} Seen at ${i.scopes.length} scope(s): ${i.scopes.slice(0, 6).join('; ')}.`,
    facts: [
      ['Root cause', i.rootCause],
      ['Impact', m(i.impactUsd)],
      ['Severity', i.severity],
      ['Start', i.start],
      ['State', i.state],
    ],
    fingerprint: `${band}|${i.reopened ? `reopened:${i.start}` : 'open'}`,
    impactUsd: Math.abs(i.impactUsd),
    teams: incidentTeams(i),
    data: { ...i, currency },
  };
}

/** One alert per crossed threshold per budget period (sent once). */
export function budgetAlerts(b: BudgetStatus): AlertEvent[] {
  const m = (v: number) => money(v, b.currency ?? 'USD');
  return b.crossed.map((c) => ({
    key: `budget:${b.id}:${b.periodStart}:${c.type}:${c.percent}`,
    kind: 'budget' as const,
    title: `Budget ${b.id}: ${c.type} spend ${c.type === 'forecast' ? 'forecast to reach' : 'reached'} ${c.percent}%`,
    text: `${b.scope}: spent ${m(b.spentUsd)} of ${m(b.amountUsd)}; forecast at period end ${m(b.forecastUsd)} (p10 ${m(b.forecastP10Usd)}, p90 ${m(b.forecastP90Usd)}).`,
    facts: [
      ['Budget', m(b.amountUsd)],
      ['Spent', m(b.spentUsd)],
      ['Forecast', m(b.forecastUsd)],
      ['Period', `${b.periodStart.slice(0, 10)} to ${b.periodEnd.slice(0, 10)}`],
    ],
    fingerprint: 'crossed',
    impactUsd: Math.max(0, b.forecastUsd - b.amountUsd),
    data: b,
  }));
}
