/** allocate: splits a period's AI spend (direct token charges and shared/fixed costs) among consumers. */
import { monthWindow, type TallyConfig } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { allocateCosts, DEFAULT_RULES } from './allocate.js';
import { checkMatchColumn, loadConsumerUsage, loadCostGroups, loadCostRows } from './_queries.js';
import type {
  AllocationResult,
  AllocationRule,
  AllocationSettings,
  ConsumerUsage,
  CostRow,
} from './_types.js';

export * from './_types.js';
export { allocateCosts, rowCostNanos, isTokenRow, DEFAULT_RULES } from './allocate.js';
export { consumerKey, dimensionValue } from './_consumers.js';
export {
  matchUsage,
  usageMatcher,
  normalizeModel,
  parseJsonObject,
  type UsageMatch,
  type MatchableUsage,
} from './_match.js';
export { loadCostRows, loadCostGroups, loadConsumerUsage } from './_queries.js';

/** Allocation settings from tally.yaml (defaults when the section is absent). */
export function allocationSettings(config: TallyConfig | undefined): AllocationSettings {
  const a = config?.allocation;
  const rules: AllocationRule[] | undefined = a?.rules?.map((r) => ({
    match: Object.fromEntries(Object.entries(r.match).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    by: r.by,
    ...(r.shares ? { shares: r.shares } : {}),
    ...(r.consumers ? { consumers: r.consumers } : {}),
    dimension: r.dimension,
  }));
  for (const r of rules ?? []) for (const col of Object.keys(r.match)) checkMatchColumn(col);
  return {
    rules: rules ?? DEFAULT_RULES,
    unallocatedLabel: a?.unallocated ?? 'unallocated',
    outputTokenWeight: a?.outputTokenWeight ?? 4,
    cachedTokenWeight: a?.cachedTokenWeight ?? 0,
  };
}

/** Everything one period's allocation needs and produces. */
export interface PeriodAllocation {
  readonly period: string;
  readonly rows: readonly CostRow[];
  readonly usage: readonly ConsumerUsage[];
  readonly result: AllocationResult;
}

/**
 * Loads a month ("YYYY-MM", UTC, by ChargePeriodStart / start_time) and allocates it. With `rows: 'each'` every
 * cost row is kept with all its columns (for the FOCUS export); otherwise alike rows are summed first.
 */
export async function allocatePeriod(
  store: CostStore,
  period: string,
  settings: AllocationSettings,
  opts: { rows?: 'each' | 'grouped' } = {},
): Promise<PeriodAllocation> {
  const w = monthWindow(period);
  const rows =
    opts.rows === 'each'
      ? await loadCostRows(store, w, settings.rules)
      : await loadCostGroups(store, w, settings.rules);
  const usage = await loadConsumerUsage(store, w);
  return { period, rows, usage, result: allocateCosts(rows, usage, settings) };
}
