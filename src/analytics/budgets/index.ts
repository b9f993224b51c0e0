/** Budgets: period windows, spend to date, forecast at period end with an interval, crossed thresholds. */
export { BUDGET_PERIODS, budgetPeriod, budgetStatus } from './_status.js';
export type { BudgetDef, BudgetPeriodKind, BudgetStatus, CrossedThreshold } from './_status.js';
export { allBudgetStatus, budgetId, deleteBudget, loadBudgets, saveBudget } from './_store.js';
export type { BudgetBasisOptions } from './_store.js';
export type { BudgetBasis } from './_status.js';
