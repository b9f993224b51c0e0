/** Budget definitions kept in the store's `budgets` table (from `tally budgets set`), merged with tally.yaml. */
import { parseUsd, type TallyConfig } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { loadDailySpend } from '../_series/index.js';
import { BUDGET_PERIODS, budgetPeriod, budgetStatus, type BudgetDef, type BudgetStatus } from './_status.js';

// Days of history before the period the end-of-period forecast learns from.
const HISTORY_DAYS = 56;

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

/** Status of every budget (config and store) at `now`. */
export async function allBudgetStatus(
  store: CostStore,
  config: TallyConfig,
  now: Date,
): Promise<BudgetStatus[]> {
  const out: BudgetStatus[] = [];
  for (const b of await loadBudgets(store, config)) {
    const { start, end } = budgetPeriod(b, now);
    const from = new Date(start.getTime() - HISTORY_DAYS * 86_400_000);
    const daily = await loadDailySpend(store, b.scope, b.value, from, end);
    out.push(budgetStatus(b, daily, now));
  }
  return out;
}
