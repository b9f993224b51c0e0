/** Named queries for the persona views: budgets per cost center and latency/cache stats per deployment. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { DeploymentStats } from './engineering.js';

/** Monthly budgets per cost center, in nanos (a later budget for the same cost center wins). */
export async function loadCostCenterBudgets(store: CostStore): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  const budgets = (await store.listBudgets())
    .filter((b) => b.value !== null)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  for (const b of budgets) {
    const kind = b.scope.toLowerCase().replace(/[-_]/g, '');
    const period = b.period.toLowerCase();
    if (kind === 'costcenter' && (period === 'month' || period === 'monthly') && b.value !== null)
      out.set(b.value, b.amountNanos);
  }
  return out;
}

/** Requests, tokens, cache and latency per model and deployment over the window. */
export function loadDeploymentStats(store: CostStore, w: TimeWindow): Promise<DeploymentStats[]> {
  return store.deploymentStats(w);
}
