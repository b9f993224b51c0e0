/**
 * Unit economics: the true (allocated) AI cost of each app or team divided by what it served: requests,
 * conversations, active end users and business outcomes from a KPI series, with the trend against the previous
 * period and, where revenue is given, AI cost as a share of it. Ratios are computed only for printing.
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';

/** One KPI value; `value` is the decimal scaled by 1e9 (exact, like money). */
export interface KpiValue {
  readonly day: string;
  readonly app: string | null;
  readonly team: string | null;
  readonly metric: string;
  readonly value: bigint;
}

/** Gateway activity of one app or team (scope null = not set on the traffic). */
export interface ScopeActivity {
  readonly scope: string | null;
  readonly requests: number;
  readonly conversations: number;
  readonly activeUsers: number;
}

/** Everything one period contributes. */
export interface UnitPeriod {
  /** Allocated total cost per scope (direct + shared). */
  readonly costs: ReadonlyMap<string, Nanos>;
  /** All AI cost of the period, unallocated included. */
  readonly totalNanos: Nanos;
  readonly activity: readonly ScopeActivity[];
  /** Activity of the whole organisation (distinct users are not additive across scopes). */
  readonly overall: ScopeActivity;
  readonly kpis: readonly KpiValue[];
}

/** A JSON-ready row. */
export type UnitRow = Record<string, unknown>;

const UNASSIGNED = '(unassigned)';
const per = (cost: Nanos, n: number): number | null => (n > 0 ? nanosToUsd(cost) / n : null);
const change = (now: number | null, before: number | null): number | null =>
  now === null || before === null || before === 0
    ? null
    : Math.round(((now - before) / before) * 10_000) / 100;
const isRevenue = (metric: string) => /^revenue/i.test(metric);

interface Figures {
  cost: Nanos;
  /** The cost revenue is compared with: the scope's own, or (for the total) only that of scopes reporting revenue. */
  revenueCost: Nanos;
  revenueScopes: string[] | null;
  act: ScopeActivity | undefined;
  kpis: Map<string, bigint>;
}

function figures(p: UnitPeriod, by: 'app' | 'team', scope: string | null): Figures {
  const cost = scope === null ? p.totalNanos : (p.costs.get(scope) ?? 0n);
  const act = scope === null ? p.overall : p.activity.find((a) => (a.scope ?? UNASSIGNED) === scope);
  const kpis = new Map<string, bigint>();
  for (const k of p.kpis) {
    if (scope !== null && (k[by] ?? UNASSIGNED) !== scope) continue;
    // The organisation's whole AI cost over one app's outcomes would mislead: the total keeps only revenue.
    if (scope === null && !isRevenue(k.metric)) continue;
    kpis.set(k.metric, (kpis.get(k.metric) ?? 0n) + k.value);
  }
  if (scope !== null) return { cost, revenueCost: cost, revenueScopes: null, act, kpis };
  // Revenue belongs to the apps (or teams) that report it: their AI cost over it, never all AI spend (internal
  // tools included) over one app's revenue.
  const earners = [
    ...new Set(p.kpis.filter((k) => isRevenue(k.metric)).map((k) => k[by] ?? UNASSIGNED)),
  ].sort();
  const revenueCost = earners.reduce((a, e) => a + (p.costs.get(e) ?? 0n), 0n);
  return { cost, revenueCost, revenueScopes: earners, act, kpis };
}

/**
 * Conversations: distinct conversation ids the gateway saw (tags conversation_id, conversation, session_id);
 * when traffic carries none, a KPI named "conversations" stands in.
 */
function conversationsOf(f: Figures): number {
  const seen = f.act?.conversations ?? 0;
  if (seen > 0) return seen;
  const kpi = f.kpis.get('conversations');
  return kpi === undefined ? 0 : Number(kpi) / 1e9;
}

function row(cur: Figures, prev: Figures | null): UnitRow {
  const requests = cur.act?.requests ?? 0;
  const conversations = conversationsOf(cur);
  const users = cur.act?.activeUsers ?? 0;
  const unit = (f: Figures) => ({
    costPerRequestUsd: per(f.cost, f.act?.requests ?? 0),
    costPerConversationUsd: per(f.cost, conversationsOf(f)),
    costPerActiveUserUsd: per(f.cost, f.act?.activeUsers ?? 0),
  });
  const now = unit(cur);
  const before = prev ? unit(prev) : null;
  const outcomes = [...cur.kpis.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([metric, v]) => {
      const value = Number(v) / 1e9;
      const pv = prev?.kpis.get(metric);
      const costOf = (f: Figures) => (isRevenue(metric) ? f.revenueCost : f.cost);
      const costPerUnitUsd = per(costOf(cur), value);
      const previousCostPerUnitUsd = prev && pv !== undefined ? per(costOf(prev), Number(pv) / 1e9) : null;
      return {
        metric,
        value,
        costPerUnitUsd,
        previousCostPerUnitUsd,
        changePct: change(costPerUnitUsd, previousCostPerUnitUsd),
      };
    });
  const revenue = [...cur.kpis.entries()].filter(([m]) => isRevenue(m)).reduce((a, [, v]) => a + v, 0n);
  const hasRevenue = [...cur.kpis.keys()].some(isRevenue);
  return {
    costUsd: nanosToUsd(cur.cost),
    requests,
    conversations,
    conversationsSource: (cur.act?.conversations ?? 0) > 0 ? 'ledger' : conversations > 0 ? 'kpi' : null,
    activeUsers: users,
    ...now,
    outcomes,
    revenueUsd: hasRevenue ? Number(revenue) / 1e9 : null,
    ...(cur.revenueScopes
      ? { revenueScopes: cur.revenueScopes, revenueCostUsd: nanosToUsd(cur.revenueCost) }
      : {}),
    aiCostShareOfRevenue:
      hasRevenue && revenue > 0n ? Number((cur.revenueCost * 1_000_000n) / revenue) / 1_000_000 : null,
    previous:
      prev && before
        ? { costUsd: nanosToUsd(prev.cost), requests: prev.act?.requests ?? 0, ...before }
        : null,
    trend: before
      ? {
          costChangePct: change(nanosToUsd(cur.cost), prev ? nanosToUsd(prev.cost) : null),
          costPerRequestChangePct: change(now.costPerRequestUsd, before.costPerRequestUsd),
          costPerConversationChangePct: change(now.costPerConversationUsd, before.costPerConversationUsd),
          costPerActiveUserChangePct: change(now.costPerActiveUserUsd, before.costPerActiveUserUsd),
        }
      : null,
  };
}

/** Builds one row per app (or team) with activity, cost or KPIs, plus the organisation's total. */
export function unitEconomics(
  cur: UnitPeriod,
  prev: UnitPeriod | null,
  by: 'app' | 'team',
): { rows: UnitRow[]; total: UnitRow } {
  const scopes = new Set<string>([
    ...cur.costs.keys(),
    ...cur.activity.map((a) => a.scope ?? UNASSIGNED),
    ...cur.kpis.map((k) => k[by]).filter((s): s is string => s !== null),
  ]);
  const rows = [...scopes].sort().map((s) => ({
    [by]: s,
    ...row(figures(cur, by, s), prev ? figures(prev, by, s) : null),
  }));
  rows.sort((a, b) => (b['costUsd'] as number) - (a['costUsd'] as number));
  const total = row(figures(cur, by, null), prev ? figures(prev, by, null) : null);
  // Per-outcome cost needs the outcome's own cost: the whole organisation's AI cost per (say) one app's orders
  // would mislead, so the total keeps only revenue, where AI cost as a share of all revenue is the question.
  total['outcomes'] = (total['outcomes'] as { metric: string }[]).filter((o) => isRevenue(o.metric));
  return { rows, total };
}
