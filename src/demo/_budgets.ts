/**
 * The demo's budgets (one monthly budget per team and one for the whole organisation, saved in the store so
 * `tally budgets status` shows them) and its forecast of next month's spend.
 */
import { configSchema, nanosToUsd, type Nanos, type TallyConfig } from '../core/index.js';
import {
  detectSeason,
  loadDailySpend,
  allBudgetStatus,
  budgetId,
  saveBudget,
  type BudgetDef,
  type BudgetStatus,
  forecastValues,
} from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import { TEAMS } from './_org.js';

const DAY = 86_400_000;
/**
 * Budgets are set at a percent of the last 28 days' run rate (per 30 days): the organisation at 110%, the teams in
 * turn at 95/105/120/140%, so the demo shows budgets already over, heading over on forecast, and comfortable.
 */
const ORG_HEADROOM_PERCENT = 110n;
const TEAM_HEADROOM_PERCENT = [95n, 105n, 120n, 140n] as const;
const RUN_RATE_DAYS = 28;

/** Budget status as of the end of the demo period. */
export interface DemoBudgets {
  at: string;
  rows: BudgetStatus[];
}

/** Next month's spend (ledger, effective rates) with its interval. */
export interface DemoForecast {
  scope: 'all';
  month: string;
  historyDays: number;
  /** Days between the end of the data and the month's start, filled with the p50 forecast. */
  gapDays: number;
  tier: string;
  season: number;
  p10Usd: number;
  p50Usd: number;
  p90Usd: number;
}

/** Rounds a budget amount up: whole dollars, or tens of dollars from $100. */
function roundUpAmount(n: Nanos): Nanos {
  const unit = n >= 100_000_000_000n ? 10_000_000_000n : 1_000_000_000n;
  const r = ((n + unit - 1n) / unit) * unit;
  return r > 0n ? r : unit;
}

/** Saves the demo budgets and returns every budget's status at the end of the period. */
export async function demoBudgets(
  store: CostStore,
  config: TallyConfig | undefined,
  startMs: number,
  endMs: number,
): Promise<DemoBudgets> {
  const from = Math.max(startMs, endMs - RUN_RATE_DAYS * DAY);
  const days = BigInt(Math.max(1, Math.round((endMs - from) / DAY)));
  const scopes: { scope: BudgetDef['scope']; value: string | null; headroom: bigint }[] = [
    { scope: 'all', value: null, headroom: ORG_HEADROOM_PERCENT },
    ...TEAMS.map((t, i) => ({
      scope: 'team' as const,
      value: t.name,
      headroom: TEAM_HEADROOM_PERCENT[i % TEAM_HEADROOM_PERCENT.length]!,
    })),
  ];
  for (const s of scopes) {
    const daily = await loadDailySpend(store, s.scope, s.value, new Date(from), new Date(endMs));
    const spent = [...daily.values()].reduce((a, b) => a + b, 0n);
    // A team with no traffic in the window gets no budget (nothing to watch).
    if (spent === 0n) continue;
    await saveBudget(store, {
      id: budgetId(s.scope, s.value, 'month'),
      scope: s.scope,
      value: s.value,
      period: 'month',
      start: null,
      end: null,
      amountNanos: roundUpAmount((spent * 30n * s.headroom) / (days * 100n)),
      actual: [50, 80, 100],
      forecast: [100],
      hard: false,
      source: 'store',
    });
  }
  const at = new Date(endMs);
  return { at: at.toISOString(), rows: await allBudgetStatus(store, config ?? configSchema.parse({}), at) };
}

/** Forecasts the calendar month after the last day of data from the organisation's daily ledger spend. */
export async function demoForecast(store: CostStore, startMs: number, endMs: number): Promise<DemoForecast> {
  const daily = await loadDailySpend(store, 'all', null, new Date(startMs), new Date(endMs));
  const history: number[] = [];
  for (let d = startMs; d < endMs; d += DAY) history.push(nanosToUsd(daily.get(d) ?? 0n));
  const last = new Date(endMs - 1);
  const monthStart = Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1);
  const monthDays = Math.round(
    (Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 2, 1) - monthStart) / DAY,
  );
  const gapDays = Math.max(0, Math.round((monthStart - endMs) / DAY));
  const season = detectSeason(history, DAY);
  // The days before the month are filled with their median forecast, so the month's own total gets its own
  // interval (the interval of a sum, not a sum of daily intervals).
  const gap = gapDays > 0 ? forecastValues(history, { horizon: gapDays, season, nonNegative: true }) : null;
  const f = forecastValues([...history, ...(gap?.points.map((p) => p.p50) ?? [])], {
    horizon: monthDays,
    season,
    nonNegative: true,
  });
  return {
    scope: 'all',
    month: new Date(monthStart).toISOString().slice(0, 7),
    historyDays: history.length,
    gapDays,
    tier: f.tier,
    season,
    p10Usd: f.total.p10,
    p50Usd: f.total.p50,
    p90Usd: f.total.p90,
  };
}
