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
  await store.transaction(async (tx) => {
    await tx.exec('DELETE FROM budgets WHERE id = $1', [b.id]);
    await tx.exec(
      `INSERT INTO budgets (id, scope_kind, scope_value, period, amount_nanos, thresholds, hard, starts_at, ends_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        b.id,
        b.scope,
        b.value,
        b.period,
        b.amountNanos,
        JSON.stringify({ actual: b.actual, forecast: b.forecast }),
        b.hard,
        b.start ? new Date(`${b.start.slice(0, 10)}T00:00:00Z`) : null,
        b.end ? new Date(`${b.end.slice(0, 10)}T00:00:00Z`) : null,
        new Date(),
      ],
    );
  });
}

/** Deletes a stored budget; false when there was none (budgets in tally.yaml are changed there). */
export async function deleteBudget(store: CostStore, id: string): Promise<boolean> {
  const found = await store.query('SELECT 1 FROM budgets WHERE id = $1', [id]);
  if (found.length === 0) return false;
  await store.exec('DELETE FROM budgets WHERE id = $1', [id]);
  return true;
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
  const rows = await store.query(
    `SELECT id, scope_kind, scope_value, period, CAST(amount_nanos AS VARCHAR) AS amount, CAST(thresholds AS VARCHAR) AS thresholds,
            hard, starts_at, ends_at FROM budgets ORDER BY id`,
  );
  for (const r of rows) {
    // Thresholds: {actual, forecast} as `budgets set` writes; a bare list is taken as actual thresholds.
    const parsed = JSON.parse(String(r['thresholds'] ?? '{}')) as unknown;
    const th = (Array.isArray(parsed) ? { actual: parsed } : (parsed ?? {})) as {
      actual?: number[];
      forecast?: number[];
    };
    const period = String(r['period']);
    if (!(BUDGET_PERIODS as readonly string[]).includes(period)) continue;
    const id = String(r['id']);
    byId.set(id, {
      id,
      scope: String(r['scope_kind']) as BudgetDef['scope'],
      value: r['scope_value'] === null ? null : String(r['scope_value']),
      period: period as BudgetDef['period'],
      start: r['starts_at'] ? String(r['starts_at']) : null,
      end: r['ends_at'] ? String(r['ends_at']) : null,
      amountNanos: BigInt(String(r['amount'])),
      actual: th.actual ?? [50, 80, 100],
      forecast: th.forecast ?? [100],
      hard: r['hard'] === true,
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
