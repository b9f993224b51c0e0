/** Scans the store (usage ledger and cost exports) for anomaly episodes at day and hour grain. */
import { loadCostCells, loadUsageCells, type Grain } from '../_series/index.js';
import type { CostStore } from '../../store/index.js';
import { scanSpendAnomalies, type SpendAnomaly } from './_scan.js';

/** Settings the store scan takes from tally.yaml `anomalies:`. */
export interface StoreScanSettings {
  readonly threshold?: number | undefined;
  readonly minImpactUsd?: number | undefined;
  readonly minImpactPct?: number | undefined;
  readonly grains?: readonly Grain[] | undefined;
}

// History loaded before --from so the first reported points have a baseline: 8 weeks daily, 5 weeks hourly.
const LOOKBACK_MS: Record<Grain, number> = { day: 56 * 86_400_000, hour: 35 * 86_400_000 };

/** Scans the store for anomaly episodes starting in [from, to). */
export async function scanStore(
  store: CostStore,
  from: Date,
  to: Date,
  s: StoreScanSettings = {},
): Promise<SpendAnomaly[]> {
  const out: SpendAnomaly[] = [];
  for (const grain of s.grains ?? (['day', 'hour'] as const)) {
    const histFrom = new Date(from.getTime() - LOOKBACK_MS[grain]);
    const cells = [
      ...(await loadUsageCells(store, histFrom, to, grain)),
      ...(await loadCostCells(store, histFrom, to, grain)),
    ];
    out.push(
      ...scanSpendAnomalies(cells, {
        from: from.getTime(),
        to: to.getTime(),
        grain,
        threshold: s.threshold,
        minImpactUsd: s.minImpactUsd,
        minImpactPct: s.minImpactPct,
      }),
    );
  }
  return out.sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
}
