/**
 * The report documents as the pages read them. They are exactly what `tally <report> --json` prints; the
 * shapes here name only the fields the pages use, and `asList`/`asObject` refuse anything else with a clear
 * error instead of rendering half a page.
 */
import { TallyError } from '../core/index.js';

/** `chargeback` document. */
export interface ChargebackDoc {
  period: string;
  /** The currency of every amount (reporting.currency); absent in documents older than ADR 0030. */
  currency?: string;
  by: string;
  totalCostUsd: number;
  previousTotalCostUsd?: number | null;
  unallocatedCostUsd?: number;
  rows: ChargebackRow[];
}
/** One chargeback row (the `by` column holds the group: team, cost-center, app, environment). */
export type ChargebackRow = Record<string, unknown> & {
  directCostUsd: number;
  sharedCostUsd: number;
  totalCostUsd: number;
  shareOfTotal?: number;
  previousTotalCostUsd?: number | null;
  changeUsd?: number | null;
  changePct?: number | null;
};

/** One `budgets` status row. */
export interface BudgetRow {
  id: string;
  scope: string;
  periodStart: string;
  periodEnd: string;
  amountUsd: number;
  spentUsd: number;
  spentPct: number;
  forecastUsd?: number | null;
  forecastP10Usd?: number | null;
  forecastP90Usd?: number | null;
  crossed?: { type: string; percent: number }[];
  hard?: boolean;
  exceeded?: boolean;
  /** The currency of every amount of the row (reporting.currency). */
  currency?: string;
}

/** A forecast's backtest, as `tally forecast --json` reports it. */
export interface ForecastBacktest {
  origins: number;
  horizon: number;
  winner: string;
  members: string[];
  weights: number[];
  candidates: { model: string; mase: number; smape: number; coverage80: number }[];
}

/** `forecast` document. */
export interface ForecastDoc {
  series: {
    id: string;
    season?: number;
    model?: string;
    points: { timestamp: string; p10: number; p50: number; p90: number }[];
    total: { p10: number; p50: number; p90: number };
    /** The rolling-origin backtest the model was chosen by (null when the history was too short for one). */
    backtest?: ForecastBacktest | null;
  }[];
  /** Store mode: spend of this month before today on the forecast's basis. */
  monthToDateUsd?: number;
  /** Store mode: the currency of every amount (reporting.currency). */
  currency?: string;
  /** Store mode: the daily spend the forecast was made from, on its basis (exact decimal text). */
  history?: { timestamp: string; value: string }[];
}

/** One anomaly incident, with the server's triage state (`tally anomalies --json`). */
export interface Anomaly {
  id: string;
  start: string;
  end: string;
  kind: string;
  severity: 'low' | 'medium' | 'high';
  scopes: string[];
  rootCause: string;
  /** True when part of the root cause is another team's: a scoped caller reads "outside your teams" there. */
  rootCauseOutsideScope?: boolean;
  /** Exact to the cent, as text. */
  impactUsd: string;
  state?: 'new' | 'acknowledged' | 'resolved';
  stateBy?: string | null;
  stateAt?: string | null;
  reopened?: boolean;
  ongoing?: boolean;
  wastePerDayUsd?: string | null;
  totalWasteUsd?: string | null;
  impactTokens?: number | null;
}

/** `anomalies` document. */
export interface AnomaliesDoc {
  from: string;
  to: string;
  /** The currency of every impact and waste amount (reporting.currency). */
  currency?: string;
  incidents: Anomaly[];
}

/** `freshness` document. */
export interface FreshnessDoc {
  sources: { source: string; lastIngestAt: string | null; lastEventAt: string | null; rows: number }[];
}

/** One `usage` row (grouping columns plus counts and costs). */
export type UsageRow = Record<string, unknown> & {
  requests?: number;
  costUsd?: number;
  listCostUsd?: number;
};

/** The currency of the gateway's metered amounts (`usage` rows): the catalog prices the ledger in USD. */
export const LEDGER_CURRENCY = 'USD';

/** The currency a document's amounts are in: its `currency`, else USD (documents from before ADR 0030). */
export function currencyOf(doc: unknown): string {
  const c = typeof doc === 'object' && doc !== null ? (doc as { currency?: unknown }).currency : undefined;
  return typeof c === 'string' && c !== '' ? c : 'USD';
}

/** The document as a list, or a server fault. */
export function asList<T>(doc: unknown, name: string): T[] {
  if (!Array.isArray(doc)) throw new TallyError('internal', `${name} report is not a list`);
  return doc as T[];
}

/** The document as an object that has `key`, or a server fault. */
export function asObject<T>(doc: unknown, name: string, key: string): T {
  if (typeof doc !== 'object' || doc === null || !(key in doc))
    throw new TallyError('internal', `${name} report has no "${key}"`);
  return doc as T;
}

/** An anomaly's state; documents without one (before triage existed) count as new. */
export function stateOf(a: Anomaly): 'new' | 'acknowledged' | 'resolved' {
  return a.state ?? 'new';
}
