/**
 * Runs every analysis on the demo organisation by calling the modules' own functions (the same ones the CLI
 * reports use): chargeback, reconciliation, unit economics, a next-month forecast, budgets and anomalies graded
 * against the injected incidents. Returns JSON-ready summaries (money as USD numbers; exact sums stay in nanos).
 */
import type { TallyConfig } from '../core/index.js';
import { monthWindow, nanosToUsd, previousMonth, type Nanos } from '../core/index.js';
import {
  allocatePeriod,
  allocationSettings,
  loadCostGroups,
  buildChargeback,
  chargebackBalances,
  totalsByConsumer,
  loadMeteredUsage,
  reconcile,
  loadActivity,
  loadStoredKpis,
  unitEconomics,
  type UnitPeriod,
  type PeriodAllocation,
} from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import { demoAnomalies, type DemoAnomalies } from './_anomalies.js';
import { demoBudgets, demoForecast, type DemoBudgets, type DemoForecast } from './_budgets.js';
import type { IncidentTruth } from './_incidents.js';

/** Chargeback by team for one month. */
export interface DemoChargeback {
  period: string;
  /** False when no whole month lies inside the demo period (short --days): the month is partly covered. */
  complete: boolean;
  totalCostUsd: number;
  exportCostUsd: number;
  ledgerOnlyCostUsd: number;
  rows: {
    team: string;
    directCostUsd: number;
    sharedCostUsd: number;
    totalCostUsd: number;
    shareOfTotal: number;
  }[];
  unallocatedCostUsd: number;
  unallocatedLabel: string;
  /** Rows plus unallocated equal the total exactly (checked in nanos). */
  balances: boolean;
}

/** Reconciliation totals for one month. */
export interface DemoReconcile {
  period: string;
  meteredCostUsd: number;
  meteredListCostUsd: number;
  billedCostUsd: number;
  effectiveCostUsd: number;
  varianceUsd: number;
  explainedUsd: number;
  unexplainedUsd: number;
  flaggedCount: number;
  /** The variance by named cause, summed over deployments. */
  explained: { kind: string; amountUsd: number }[];
  /** Deployments with the largest variance (up to 6). */
  rows: {
    deployment: string;
    meteredCostUsd: number;
    billedCostUsd: number;
    varianceUsd: number;
    explanation: string;
  }[];
}

/** Unit economics headline for one month. */
export interface DemoUnitEconomics {
  period: string;
  costUsd: number;
  requests: number;
  costPerRequestUsd: number | null;
  costPerConversationUsd: number | null;
  costPerActiveUserUsd: number | null;
  aiCostShareOfRevenue: number | null;
  rows: {
    app: string;
    costUsd: number;
    requests: number;
    costPerRequestUsd: number | null;
    costPerConversationUsd: number | null;
  }[];
}

/** Every analysis the demo runs. */
export interface DemoAnalyses {
  chargeback: DemoChargeback;
  reconcile: DemoReconcile;
  unitEconomics: DemoUnitEconomics;
  forecast: DemoForecast;
  budgets: DemoBudgets;
  anomalies: DemoAnomalies;
  /** Wall time of each analysis, ms. */
  analysisTimingsMs: Record<string, number>;
}

/**
 * The month the demo reports on: the latest calendar month that has ended by `endMs` and has demo data (complete
 * when the data covers all of it), else the month of the last day (a short --days inside one month).
 */
export function demoPeriod(startMs: number, endMs: number): { period: string; complete: boolean } {
  const last = new Date(endMs - 1);
  const month = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
  // The month containing the end is complete only when the end is its last instant (end on the 1st).
  const end = new Date(endMs);
  const candidate =
    end.getUTCDate() === 1 && endMs % 86_400_000 === 0
      ? month(last.getUTCFullYear(), last.getUTCMonth())
      : month(end.getUTCFullYear(), end.getUTCMonth() - 1);
  const w = monthWindow(candidate);
  if (w.to.getTime() > startMs) return { period: candidate, complete: w.from.getTime() >= startMs };
  return { period: month(last.getUTCFullYear(), last.getUTCMonth()), complete: false };
}

const usd = (n: Nanos) => nanosToUsd(n);

/** Runs the analyses on the demo data in [startMs, endMs). */
export async function runDemoAnalyses(o: {
  store: CostStore;
  config: TallyConfig | undefined;
  startMs: number;
  endMs: number;
  incidents: readonly IncidentTruth[];
  onPhase?: (phase: string) => void;
  /** The store also holds the month after the data (`--next-month`): check the forecast against its bill. */
  nextMonth?: boolean;
}): Promise<DemoAnalyses> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    o.onPhase?.(name);
    const t0 = Date.now();
    const r = await f();
    timings[name] = Date.now() - t0;
    return r;
  };
  const { period, complete } = demoPeriod(o.startMs, o.endMs);
  const settings = allocationSettings(o.config);
  const [current, previous] = await timed('allocation', async () => [
    await allocatePeriod(o.store, period, settings),
    await allocatePeriod(o.store, previousMonth(period), settings),
  ]);
  const chargeback = await timed('chargeback', () =>
    Promise.resolve(teamChargeback(current, previous, complete, settings.unallocatedLabel)),
  );
  const rec = await timed('reconcile', () => reconcileSummary(o.store, period));
  const unit = await timed('unitEconomics', () => unitSummary(o.store, current, previous));
  const forecast = await timed('forecast', () =>
    demoForecast(o.store, o.config, o.startMs, o.endMs, o.nextMonth ?? false),
  );
  const budgets = await timed('budgets', () => demoBudgets(o.store, o.config, o.startMs, o.endMs));
  const anomalies = await timed('anomalies', () =>
    demoAnomalies(o.store, o.startMs, o.endMs, o.incidents, o.config),
  );
  return {
    chargeback,
    reconcile: rec,
    unitEconomics: unit,
    forecast,
    budgets,
    anomalies,
    analysisTimingsMs: timings,
  };
}

function teamChargeback(
  cur: PeriodAllocation,
  prev: PeriodAllocation,
  complete: boolean,
  unallocatedLabel: string,
): DemoChargeback {
  const cb = buildChargeback(cur.result, prev.result, 'team');
  return {
    period: cur.period,
    complete,
    totalCostUsd: usd(cb.totalNanos),
    exportCostUsd: usd(cb.exportNanos),
    ledgerOnlyCostUsd: usd(cb.ledgerOnlyNanos),
    rows: cb.lines.map((l) => ({
      team: l.consumer,
      directCostUsd: usd(l.directNanos),
      sharedCostUsd: usd(l.sharedNanos),
      totalCostUsd: usd(l.totalNanos),
      shareOfTotal: l.shareOfTotal,
    })),
    unallocatedCostUsd: usd(cb.unallocatedNanos),
    unallocatedLabel,
    balances: chargebackBalances(cb),
  };
}

async function reconcileSummary(store: CostStore, period: string): Promise<DemoReconcile> {
  const w = monthWindow(period);
  const lines = reconcile(await loadCostGroups(store, w, []), await loadMeteredUsage(store, w), {
    by: 'deployment',
    thresholdPct: 0.05,
  });
  const sum = (f: (l: (typeof lines)[number]) => bigint) => lines.reduce((a, l) => a + f(l), 0n);
  const byKind = new Map<string, bigint>();
  for (const l of lines)
    for (const c of l.components) byKind.set(c.kind, (byKind.get(c.kind) ?? 0n) + c.nanos);
  const variance = sum((l) => l.varianceNanos);
  const unexplained = sum((l) => l.unexplainedNanos);
  const abs = (n: bigint) => (n < 0n ? -n : n);
  return {
    period,
    meteredCostUsd: usd(sum((l) => l.meteredNanos)),
    meteredListCostUsd: usd(sum((l) => l.meteredListNanos)),
    billedCostUsd: usd(sum((l) => l.billedNanos)),
    effectiveCostUsd: usd(sum((l) => l.effectiveNanos)),
    varianceUsd: usd(variance),
    explainedUsd: usd(variance - unexplained),
    unexplainedUsd: usd(unexplained),
    flaggedCount: lines.filter((l) => l.flagged).length,
    explained: [...byKind].map(([kind, n]) => ({ kind, amountUsd: usd(n) })),
    rows: [...lines]
      .sort((a, b) => (abs(b.varianceNanos) > abs(a.varianceNanos) ? 1 : -1))
      .slice(0, 6)
      .map((l) => ({
        deployment: l.key,
        meteredCostUsd: usd(l.meteredNanos),
        billedCostUsd: usd(l.billedNanos),
        varianceUsd: usd(l.varianceNanos),
        explanation: l.explanation,
      })),
  };
}

async function unitSummary(
  store: CostStore,
  cur: PeriodAllocation,
  prev: PeriodAllocation,
): Promise<DemoUnitEconomics> {
  const load = async (pa: PeriodAllocation): Promise<UnitPeriod> => {
    const w = monthWindow(pa.period);
    const totals = totalsByConsumer(pa.result, 'app');
    const [all] = await loadActivity(store, w, 'all');
    return {
      costs: new Map([...totals].map(([k, t]) => [k, t.direct + t.shared])),
      totalNanos: pa.result.totalNanos,
      activity: await loadActivity(store, w, 'app'),
      overall: all ?? { scope: 'all', requests: 0, conversations: 0, activeUsers: 0 },
      kpis: await loadStoredKpis(store, w),
    };
  };
  const { rows, total } = unitEconomics(await load(cur), await load(prev), 'app');
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    period: cur.period,
    costUsd: num(total['costUsd']) ?? 0,
    requests: num(total['requests']) ?? 0,
    costPerRequestUsd: num(total['costPerRequestUsd']),
    costPerConversationUsd: num(total['costPerConversationUsd']),
    costPerActiveUserUsd: num(total['costPerActiveUserUsd']),
    aiCostShareOfRevenue: num(total['aiCostShareOfRevenue']),
    rows: rows.map((r) => ({
      app: String(r['app']),
      costUsd: num(r['costUsd']) ?? 0,
      requests: num(r['requests']) ?? 0,
      costPerRequestUsd: num(r['costPerRequestUsd']),
      costPerConversationUsd: num(r['costPerConversationUsd']),
    })),
  };
}
