/**
 * Loads spend cells (time bucket x dimension values -> exact cost and tokens) from the store, from the usage
 * ledger and from ingested cost exports, so spend that never passed the gateway is watched too.
 * Both come from the store's `spendCells` named operation, exact to the nano.
 */
import type { Nanos } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';

/** Where a cell came from. */
export type CellSource = 'usage' | 'costs';

/** One bucket of spend for one combination of dimension values. */
export interface SpendCell {
  readonly source: CellSource;
  /** Bucket start, epoch ms UTC. */
  readonly bucket: number;
  readonly dims: Readonly<Record<string, string | null>>;
  readonly costNanos: Nanos;
  readonly tokens: number;
  /** Cost-export cells: their billing currency (ledger cells are USD). */
  readonly currency?: string | null;
}

/** Time bucket size. */
export type Grain = 'day' | 'hour';

/** Milliseconds per grain. */
export const GRAIN_MS: Record<Grain, number> = { day: 86_400_000, hour: 3_600_000 };

/** Dimensions read from usage events (ledger column -> dimension name). */
export const USAGE_SCOPE_DIMS = {
  team: 'team',
  app: 'app',
  model: 'model',
  deployment: 'deployment',
  key: 'key_id',
} as const;

/** Loads usage-event cells in [from, to). */
export async function loadUsageCells(
  store: CostStore,
  from: Date,
  to: Date,
  grain: Grain,
): Promise<SpendCell[]> {
  return (await store.spendCells('usage', { from, to }, GRAIN_MS[grain])).map((c) => ({
    source: 'usage',
    ...c,
  }));
}

/** Loads cost-export cells in [from, to) (EffectiveCost, falling back to BilledCost), by FOCUS/x_Ai columns and tags. */
export async function loadCostCells(
  store: CostStore,
  from: Date,
  to: Date,
  grain: Grain,
): Promise<SpendCell[]> {
  return (await store.spendCells('costs', { from, to }, GRAIN_MS[grain])).map((c) => ({
    source: 'costs',
    ...c,
  }));
}
