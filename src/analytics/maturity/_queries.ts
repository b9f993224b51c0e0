/** Named queries for the maturity score: tag coverage, gateway share, key policies, budgets, KPIs and triage. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';

/** What the maturity rules read from the store (besides budgets, PTU and the daily spend series). */
export interface MaturityFacts {
  readonly ledgerCostNanos: bigint;
  readonly taggedCostNanos: bigint;
  readonly ledgerListNanos: bigint;
  /** List cost of AI token meters in the exports (what the gateway could have seen); null without exports. */
  readonly exportTokenListNanos: bigint | null;
  readonly activeKeys: number;
  readonly keysWithLimits: number;
  readonly teamsWithSpend: readonly string[];
  readonly appsWithSpend: number;
  readonly appsWithKpis: number;
  readonly incidentsTriaged: number;
}

/** Loads the facts for one window. */
export function loadMaturityFacts(store: CostStore, w: TimeWindow): Promise<MaturityFacts> {
  return store.maturityFacts(w);
}
