/** Named queries that feed allocation: the period's AI cost rows and the ledger's usage per consumer. */
import { TallyError, type TimeWindow } from '../../core/index.js';
import { FOCUS_COLUMN_NAMES, type CostStore } from '../../store/index.js';
import type { AllocationRule, ConsumerUsage, CostRow } from './_types.js';

/** Throws invalid_config for a match column that is neither a FOCUS/x_ column nor Tags.<key>. */
export function checkMatchColumn(col: string): void {
  if (FOCUS_COLUMN_NAMES.includes(col) || (col.startsWith('Tags.') && col.length > 5)) return;
  throw new TallyError(
    'invalid_config',
    `allocation.rules: unknown match column "${col}"; use a FOCUS or x_ column (e.g. ServiceName, x_AiDeploymentType) or Tags.<key>`,
    { field: 'allocation.rules.match', column: col },
  );
}

/** The period's AI cost rows (and any row an allocation rule matches), by ChargePeriodStart, in a stable order. */
export function loadCostRows(
  store: CostStore,
  w: TimeWindow,
  rules: readonly AllocationRule[],
): Promise<CostRow[]> {
  for (const r of rules) for (const col of Object.keys(r.match)) checkMatchColumn(col);
  return store.costRows(
    w,
    rules.map((r) => r.match),
  );
}

/**
 * The same rows as loadCostRows, summed over every row that allocation would treat alike (same resource,
 * model, meter, category and rule columns), per month or per UTC day, exact (the store's `costGroups`).
 */
export function loadCostGroups(
  store: CostStore,
  w: TimeWindow,
  rules: readonly AllocationRule[],
  opts: { byDay?: boolean } = {},
): Promise<CostRow[]> {
  for (const r of rules) for (const col of Object.keys(r.match)) checkMatchColumn(col);
  return store.costGroups(
    w,
    rules.map((r) => r.match),
    opts,
  );
}

/** Ledger usage in the window per consumer, deployment, model and deployment type. */
export async function loadConsumerUsage(store: CostStore, w: TimeWindow): Promise<ConsumerUsage[]> {
  const aggs = await store.aggregateUsage({
    from: w.from,
    to: w.to,
    by: ['team', 'cost_center', 'app', 'environment', 'upstream', 'deployment', 'model', 'deployment_type'],
  });
  return aggs.map((a) => ({
    team: a.dims['team'] ?? null,
    costCenter: a.dims['cost_center'] ?? null,
    app: a.dims['app'] ?? null,
    environment: a.dims['environment'] ?? null,
    deployment: a.dims['deployment'] ?? null,
    upstream: a.dims['upstream'] ?? null,
    model: a.dims['model'] ?? '',
    deploymentType: a.dims['deployment_type'] ?? '',
    requests: a.requests,
    inputTokens: BigInt(a.inputTokens),
    cachedInputTokens: BigInt(a.cachedInputTokens),
    outputTokens: BigInt(a.outputTokens),
    costNanos: a.costNanos,
    listCostNanos: a.listCostNanos,
  }));
}

/**
 * The exclusive end of the last UTC day the cost export covers: the latest ChargePeriodEnd of its daily (or
 * shorter) charges. Monthly purchases run to the month's end and say nothing about how far usage is billed, so
 * they are left out (unless the export has nothing finer: a monthly export covers its months). Null when no
 * cost rows are stored.
 */
export function loadExportThrough(store: CostStore): Promise<Date | null> {
  return store.exportThrough();
}

/** The billing currencies of the window's cost rows (null-free, sorted). */
export function loadBillingCurrencies(store: CostStore, w: TimeWindow): Promise<string[]> {
  return store.billingCurrencies(w);
}
