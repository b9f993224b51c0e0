/**
 * The demo's budgets (one monthly budget per team and one for the whole organisation, saved in the store so
 * `tally budgets status` shows them) and its forecast of next month's spend.
 */
import { configSchema, nanosToUsd, type Nanos, type TallyConfig } from '../core/index.js';
import {
  allBudgetStatus,
  allocatePeriod,
  allocationSettings,
  BasisCache,
  budgetId,
  dailySpendOnBasis,
  forecastSplit,
  saveBudget,
  type BudgetDef,
  type BudgetStatus,
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

/** Next month's spend on the cost basis (committed schedule plus variable forecast) with its interval. */
export interface DemoForecast {
  scope: 'all';
  month: string;
  basis: string;
  metric: string;
  exportThrough: string | null;
  historyDays: number;
  /** Days between the end of the data and the month's start, forecast too (forecast, then left out of the total). */
  gapDays: number;
  tier: string;
  season: number;
  committedUsd: number;
  /** The committed part's p10/p90 and their source (`schedule`: zero width, it always held; `backtest`; `none`). */
  committedP10Usd: number;
  committedP90Usd: number;
  committedSource: string;
  variableP50Usd: number;
  p10Usd: number;
  p50Usd: number;
  p90Usd: number;
  /** With `--next-month`: the month's bill as the demo then produced it (chargeback total), and the p50's error. */
  actualUsd?: number;
  errorPct?: number;
}

/** Rounds a budget amount up: whole dollars, or tens of dollars from $100. */
function roundUpAmount(n: Nanos): Nanos {
  const unit = n >= 100_000_000_000n ? 10_000_000_000n : 1_000_000_000n;
  const r = ((n + unit - 1n) / unit) * unit;
  return r > 0n ? r : unit;
}

/** Daily spend of a scope on the cost basis (what chargeback bills) over [from, to). */
function basisDaily(
  store: CostStore,
  config: TallyConfig | undefined,
  scope: BudgetDef['scope'],
  value: string | null,
  from: number,
  to: number,
  cache: BasisCache,
) {
  const settings = allocationSettings(config ?? configSchema.parse({}));
  return dailySpendOnBasis(store, scope, value, new Date(from), new Date(to), { settings, cache });
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
  const cache = new BasisCache();
  for (const s of scopes) {
    // The run rate on the basis the budget is watched on (the whole bill, as chargeback).
    const daily = await basisDaily(store, config, s.scope, s.value, from, endMs, cache);
    const spent = [...daily.total.values()].reduce((a, b) => a + b, 0n);
    // A team with no spend in the window gets no budget (nothing to watch).
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

/**
 * Forecasts the calendar month after the last day of data from the organisation's daily spend on the cost basis:
 * committed schedule plus variable forecast. With `check`, the store also holds that month (`--next-month`), and
 * the forecast is compared with the month's chargeback total.
 */
export async function demoForecast(
  store: CostStore,
  config: TallyConfig | undefined,
  startMs: number,
  endMs: number,
  check = false,
): Promise<DemoForecast> {
  const cache = new BasisCache();
  const daily = await basisDaily(store, config, 'all', null, startMs, endMs, cache);
  const last = new Date(endMs - 1);
  const monthStart = Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1);
  const monthEnd = Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 2, 1);
  const through = daily.info.exportThrough;
  const exportEnd = through ? Math.min(endMs, Date.parse(`${through}T00:00:00Z`) + DAY) : null;
  const f = forecastSplit(
    {
      total: daily.total,
      committed: daily.committed,
      commitment: daily.commitment,
      historyFrom: startMs,
      today: endMs,
      exportEnd,
    },
    monthStart,
    Math.round((monthEnd - monthStart) / DAY),
  );
  const month = new Date(monthStart).toISOString().slice(0, 7);
  const out: DemoForecast = {
    scope: 'all',
    month,
    basis: daily.info.basis,
    metric: daily.info.metric,
    exportThrough: exportEnd === null ? null : new Date(exportEnd - DAY).toISOString().slice(0, 10),
    historyDays: Math.round((endMs - startMs) / DAY),
    gapDays: Math.max(0, Math.round((monthStart - endMs) / DAY)),
    tier: f.tier,
    season: f.season,
    committedUsd: f.committedUsd,
    committedP10Usd: f.committed.p10,
    committedP90Usd: f.committed.p90,
    committedSource: f.committed.source,
    variableP50Usd: f.variable.p50,
    p10Usd: f.total.p10,
    p50Usd: f.total.p50,
    p90Usd: f.total.p90,
  };
  if (!check) return out;
  const settings = allocationSettings(config ?? configSchema.parse({}));
  const actual = nanosToUsd((await allocatePeriod(store, month, settings)).result.totalNanos);
  return { ...out, actualUsd: actual, errorPct: actual > 0 ? ((f.total.p50 - actual) / actual) * 100 : 0 };
}
