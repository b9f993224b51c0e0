/** Named queries for the maturity score: tag coverage, gateway share, key policies, budgets, KPIs and triage. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore, MaturityFactsRow } from '../../store/index.js';

/** What the maturity rules read from the store (besides budgets, PTU and the daily spend series). */
export type MaturityFacts = MaturityFactsRow;

/** Loads the facts for one window. */
export function loadMaturityFacts(store: CostStore, w: TimeWindow): Promise<MaturityFacts> {
  return store.maturityFacts(w);
}
