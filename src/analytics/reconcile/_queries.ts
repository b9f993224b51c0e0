/** Named query for reconciliation: the ledger's metered usage per deployment, model, type and UTC day. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { MeteredUsage } from './reconcile.js';

/** Metered usage over the window (the store's `meteredUsageByDay`; money exact). */
export function loadMeteredUsage(store: CostStore, w: TimeWindow): Promise<MeteredUsage[]> {
  return store.meteredUsageByDay(w);
}
