/** views: the same reports cut for finance (cost center, budget, trend) and engineering (model, latency, cache). */
export { financeView, type FinanceRow } from './finance.js';
export { engineeringView, type DeploymentStats, type EngineeringRow } from './engineering.js';
export { loadCostCenterBudgets, loadDeploymentStats } from './_queries.js';
