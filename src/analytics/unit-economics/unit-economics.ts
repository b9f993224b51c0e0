/**
 * Unit economics: the true (allocated) AI cost of each app, team or declared group of apps divided by what it
 * served: requests, conversations, active end users and business outcomes from a KPI series, with the trend
 * against the previous period and, where revenue is given, AI cost as a share of it. A KPI is divided only by
 * the cost of the scope it belongs to (ADR 0036). Ratios are computed only for printing.
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';

/** One KPI value; `value` is the decimal scaled by 1e9 (exact, like money). */
export interface KpiValue {
  readonly day: string;
  readonly app: string | null;
  readonly team: string | null;
  /** A declared group of apps (`unitEconomics.groups`); such a KPI is reported `--by group` only. */
  readonly group: string | null;
  readonly metric: string;
  readonly value: bigint;
}

/** The scopes a report groups by: declared groups add their apps' cost, and have KPIs of their own. */
export type UnitScope = 'app' | 'team' | 'group';

/** Gateway activity of one app, team or group (scope null = not set on the traffic). */
export interface ScopeActivity {
  readonly scope: string | null;
  readonly requests: number;
  readonly conversations: number;
  readonly activeUsers: number;
}

/** Everything one period contributes. */
export interface UnitPeriod {
  /** Allocated total cost per scope (direct + shared; a group's is the sum of its apps'). */
  readonly costs: ReadonlyMap<string, Nanos>;
  /** All AI cost of the period, unallocated included. */
  readonly totalNanos: Nanos;
  readonly activity: readonly ScopeActivity[];
  /** Activity of the whole organisation (distinct users are not additive across scopes). */
  readonly overall: ScopeActivity;
  readonly kpis: readonly KpiValue[];
  /** `--by group` only: the apps with cost in no declared group (the UNGROUPED row). */
  readonly ungroupedApps?: readonly string[];
}

/** A JSON-ready row. */
export type UnitRow = Record<string, unknown>;

const UNASSIGNED = '(unassigned)';
/** The `--by group` row of the apps in no declared group, so the rows add up to the total. */
export const UNGROUPED = '(ungrouped)';
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

/** Whether a KPI is counted in a report by `by`: a group's KPI belongs to the group's report, never an app's. */
const counted = (k: KpiValue, by: UnitScope) => (by === 'group') === (k.group !== null);

function figures(p: UnitPeriod, by: UnitScope, scope: string | null): Figures {
  const cost = scope === null ? p.totalNanos : (p.costs.get(scope) ?? 0n);
  const act = scope === null ? p.overall : p.activity.find((a) => (a.scope ?? UNASSIGNED) === scope);
  const kpis = new Map<string, bigint>();
  for (const k of p.kpis) {
    if (!counted(k, by)) continue;
    if (scope !== null && (k[by] ?? UNASSIGNED) !== scope) continue;
    // The organisation's whole AI cost over one app's outcomes would mislead: the total keeps only revenue.
    if (scope === null && !isRevenue(k.metric)) continue;
    kpis.set(k.metric, (kpis.get(k.metric) ?? 0n) + k.value);
  }
  if (scope !== null) return { cost, revenueCost: cost, revenueScopes: null, act, kpis };
  // Revenue belongs to the apps (or teams) that report it: their AI cost over it, never all AI spend (internal
  // tools included) over one app's revenue.
  const earners = [
    ...new Set(p.kpis.filter((k) => counted(k, by) && isRevenue(k.metric)).map((k) => k[by] ?? UNASSIGNED)),
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

/** Declared groups: group name -> its apps (`unitEconomics.groups`). */
export type DeclaredGroups = Readonly<Record<string, { readonly apps: readonly string[] }>>;

/** Why a row has no outcome ratio, said in the report rather than left for the reader to guess. */
function noRatioReason(by: UnitScope, scope: string, groups: DeclaredGroups, ungrouped: string[]): string {
  if (by === 'team') return `no KPI for team ${scope} in this period`;
  if (by === 'group')
    return scope === UNGROUPED
      ? `apps in no declared group (${ungrouped.join(', ') || 'none'}): no group KPI pays for them; see --by app`
      : `no KPI row names group ${scope} in this period`;
  const group = Object.entries(groups).find(([, g]) => g.apps.includes(scope))?.[0];
  return group
    ? `no KPI of its own; its cost counts toward group ${group}'s KPIs (--by group)`
    : `no KPI for app ${scope}, and it is in no declared group (unitEconomics.groups in tally.yaml)`;
}

/**
 * Builds one row per app, team or group with activity, cost or KPIs, plus the organisation's total. `--by group`
 * has one row per declared group (with its apps) and one for the apps in no group; a row without an outcome says
 * why in `noRatioReason`.
 */
export function unitEconomics(
  cur: UnitPeriod,
  prev: UnitPeriod | null,
  by: UnitScope,
  groups: DeclaredGroups = {},
): { rows: UnitRow[]; total: UnitRow } {
  const scopes = new Set<string>([
    ...(by === 'group' ? Object.keys(groups) : []),
    ...cur.costs.keys(),
    ...cur.activity.map((a) => a.scope ?? UNASSIGNED),
    ...cur.kpis
      .filter((k) => counted(k, by))
      .map((k) => k[by])
      .filter((s): s is string => s !== null),
  ]);
  const ungrouped = [...(cur.ungroupedApps ?? [])];
  const rows = [...scopes].sort().map((s) => {
    const r: UnitRow = {
      [by]: s,
      ...(by === 'group' ? { apps: s === UNGROUPED ? ungrouped : [...(groups[s]?.apps ?? [])] } : {}),
      ...row(figures(cur, by, s), prev ? figures(prev, by, s) : null),
    };
    if ((r['outcomes'] as unknown[]).length === 0)
      r['noRatioReason'] = noRatioReason(by, s, groups, ungrouped);
    // Distinct users are not additive across apps, so a group has no active-user count.
    if (by === 'group') Object.assign(r, { activeUsers: null, costPerActiveUserUsd: null });
    return r;
  });
  rows.sort((a, b) => (b['costUsd'] as number) - (a['costUsd'] as number));
  const total = row(figures(cur, by, null), prev ? figures(prev, by, null) : null);
  // Per-outcome cost needs the outcome's own cost: the whole organisation's AI cost per (say) one app's orders
  // would mislead, so the total keeps only revenue, where AI cost as a share of all revenue is the question.
  total['outcomes'] = (total['outcomes'] as { metric: string }[]).filter((o) => isRevenue(o.metric));
  return { rows, total };
}

/**
 * An app-keyed period regrouped by declared group: a group's cost is the sum of its apps' allocated cost (direct
 * + shared, as chargeback --by app has them), its requests and conversations the sum of theirs; apps in no group
 * make the UNGROUPED row, so the rows still add up to the total.
 */
export function groupPeriod(byApp: UnitPeriod, groups: DeclaredGroups): UnitPeriod {
  const groupOf = new Map<string, string>();
  for (const [name, g] of Object.entries(groups)) for (const app of g.apps) groupOf.set(app, name);
  const key = (app: string | null) => groupOf.get(app ?? UNASSIGNED) ?? UNGROUPED;
  const costs = new Map<string, Nanos>();
  for (const [app, c] of byApp.costs) costs.set(key(app), (costs.get(key(app)) ?? 0n) + c);
  const activity = new Map<string, ScopeActivity>();
  for (const a of byApp.activity) {
    const k = key(a.scope);
    const was = activity.get(k);
    activity.set(k, {
      scope: k,
      requests: (was?.requests ?? 0) + a.requests,
      conversations: (was?.conversations ?? 0) + a.conversations,
      activeUsers: 0,
    });
  }
  const apps = new Set([...byApp.costs.keys(), ...byApp.activity.map((a) => a.scope ?? UNASSIGNED)]);
  return {
    ...byApp,
    costs,
    activity: [...activity.values()],
    ungroupedApps: [...apps].filter((a) => !groupOf.has(a)).sort(),
  };
}
