/** Budget definitions kept in the store's `budgets` table (from `tally budgets set`), merged with tally.yaml. */
import { parseUsd, type TallyConfig } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { allocationSettings, type CostBasis, type CostMetric, type PeriodMemo } from '../allocate/index.js';
import { BasisCache, configHolidays, dailySpendOnBasis, FORECAST_HISTORY_DAYS } from '../basis/index.js';
import { BUDGET_PERIODS, budgetPeriod, budgetStatus, type BudgetDef, type BudgetStatus } from './_status.js';

// Days of history before the period the end-of-period forecast learns from.

/** The id a budget gets: one budget per scope, value and period (setting it again replaces it). */
export function budgetId(scope: string, value: string | null, period: string): string {
  return `${scope}:${value ?? '*'}:${period}`;
}

/** Saves (replaces) a budget in the store. */
export async function saveBudget(store: CostStore, b: BudgetDef): Promise<void> {
  await store.saveBudget({
    id: b.id,
    scope: b.scope,
    value: b.value,
    period: b.period,
    amountNanos: b.amountNanos,
    thresholds: { actual: b.actual, forecast: b.forecast },
    hard: b.hard,
    startsAt: b.start ? `${b.start.slice(0, 10)}T00:00:00.000Z` : null,
    endsAt: b.end ? `${b.end.slice(0, 10)}T00:00:00.000Z` : null,
    createdAt: new Date().toISOString(),
  });
}

/** Deletes a stored budget; false when there was none (budgets in tally.yaml are changed there). */
export function deleteBudget(store: CostStore, id: string): Promise<boolean> {
  return store.deleteBudget(id);
}

/** Budgets from tally.yaml and from the store (the store's `budgets set` wins for the same id). */
export async function loadBudgets(store: CostStore, config: TallyConfig): Promise<BudgetDef[]> {
  const byId = new Map<string, BudgetDef>();
  for (const c of config.budgets ?? []) {
    const value = c.value ?? null;
    const id = c.name ?? budgetId(c.scope, value, c.period);
    byId.set(id, {
      id,
      scope: c.scope,
      value,
      period: c.period,
      start: c.start ?? null,
      end: c.end ?? null,
      amountNanos: parseUsd(c.amountUsd),
      actual: c.actual,
      forecast: c.forecast,
      hard: c.hard,
      source: 'config',
    });
  }
  for (const r of await store.listBudgets()) {
    // Thresholds: {actual, forecast} as `budgets set` writes; a bare list is taken as actual thresholds.
    const parsed = r.thresholds ?? {};
    const th = (Array.isArray(parsed) ? { actual: parsed } : parsed) as {
      actual?: number[];
      forecast?: number[];
    };
    const period = r.period;
    if (!(BUDGET_PERIODS as readonly string[]).includes(period)) continue;
    const id = r.id;
    byId.set(id, {
      id,
      scope: r.scope as BudgetDef['scope'],
      value: r.value,
      period: period as BudgetDef['period'],
      start: r.startsAt,
      end: r.endsAt,
      amountNanos: r.amountNanos,
      actual: th.actual ?? [50, 80, 100],
      forecast: th.forecast ?? [100],
      hard: r.hard,
      source: 'store',
    });
  }
  return [...byId.values()];
}

/** Which cost budgets count (default: the export basis, amortized, as chargeback). */
export interface BudgetBasisOptions {
  readonly basis?: CostBasis;
  readonly metric?: CostMetric;
  /** Closed months shared with the serving process's other reports (ADR 0033). */
  readonly memo?: PeriodMemo | null;
}

/**
 * Status of every budget (config and store) at `now`, on the cost basis chargeback uses: a team's month
 * consumption is its chargeback line for that month (direct + allocated shared), ledger-filled past the export.
 */
export async function allBudgetStatus(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: BudgetBasisOptions = {},
): Promise<BudgetStatus[]> {
  const settings = allocationSettings(config);
  const { memo, ...basis } = opts;
  const cache = new BasisCache(memo ?? null);
  const holidays = configHolidays(config);
  const out: BudgetStatus[] = [];
  for (const b of await loadBudgets(store, config)) {
    const { start, end } = budgetPeriod(b, now);
    // History: the forecasts' own window before today (so `tally forecast` agrees), and every day of the period.
    const today = Math.floor(now.getTime() / 86_400_000) * 86_400_000;
    const from = new Date(Math.min(start.getTime(), today - FORECAST_HISTORY_DAYS * 86_400_000));
    const daily = await dailySpendOnBasis(store, b.scope, b.value, from, end, { settings, cache, ...basis });
    const through = daily.info.exportThrough;
    out.push({
      ...budgetStatus(
        b,
        daily.total,
        now,
        {
          committed: daily.committed,
          commitment: daily.commitment,
          exportEnd: through ? Date.parse(`${through}T00:00:00Z`) + 86_400_000 : null,
          basis: daily.info.basis,
          metric: daily.info.metric,
          exportThrough: through,
        },
        holidays,
      ),
      currency: settings.currency ?? 'USD',
    });
  }
  return out;
}
