/** Daily spend of one budget scope from the store: the usage ledger, or cost exports when the ledger is empty. */
import type { Nanos } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';

/** Budget scope kinds. */
export type BudgetScope = 'all' | 'team' | 'app' | 'cost_center' | 'key' | 'model';

/** Exact spend per UTC day (epoch ms of the day start) in [from, to) for a scope. */
export async function loadDailySpend(
  store: CostStore,
  scope: BudgetScope,
  value: string | null,
  from: Date,
  to: Date,
): Promise<Map<number, Nanos>> {
  const useLedger = (await store.usageExtent()).events > 0;
  const rows = await store.spendByBucket({
    source: useLedger ? 'usage' : 'costs',
    scope,
    value,
    from,
    to,
    bucketMs: 86_400_000,
  });
  return new Map(rows.map((r) => [r.bucket, r.costNanos]));
}
