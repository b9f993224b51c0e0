/** The engineering view: per model and deployment, tokens per request, cache hit rate, latency and cost. */
import { nanosToUsd, type Nanos } from '../../core/index.js';
import type { DeploymentStatsRow } from '../../store/index.js';
import { usageMatcher, rowCostNanos, type CostRow, type ConsumerUsage } from '../allocate/index.js';

/** Ledger statistics of one model/deployment (the store's named operation returns them). */
export type DeploymentStats = DeploymentStatsRow;

/** One row of the engineering view (JSON-ready). */
export type EngineeringRow = Record<string, string | number | null>;

/**
 * Builds the engineering rows. Effective cost is the export's cost of rows that match exactly one deployment, else the
 * ledger's cost at effective rates (`costSource` says which).
 */
export function engineeringView(
  stats: readonly DeploymentStats[],
  rows: readonly CostRow[],
  usage: readonly ConsumerUsage[],
): EngineeringRow[] {
  const exportByDeployment = new Map<string, Nanos>();
  const match = usageMatcher(usage);
  for (const r of rows) {
    const m = match(r);
    const deps = new Set(m.usage.map((i) => usage[i]!.deployment?.toLowerCase() ?? ''));
    const [dep] = deps;
    if (deps.size !== 1 || !dep) continue;
    exportByDeployment.set(dep, (exportByDeployment.get(dep) ?? 0n) + rowCostNanos(r));
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
  return stats.map((s) => {
    const fromExport = s.deployment ? exportByDeployment.get(s.deployment.toLowerCase()) : undefined;
    const cost = fromExport ?? s.costNanos;
    const tokens = Number(s.inputTokens + s.outputTokens);
    return {
      model: s.model,
      deployment: s.deployment,
      deploymentType: s.deploymentType,
      requests: s.requests,
      inputTokens: Number(s.inputTokens),
      outputTokens: Number(s.outputTokens),
      tokensPerRequest: ratio(tokens, s.requests),
      cacheHitRate: ratio(s.cacheHits, s.requests),
      promptCacheRate: ratio(Number(s.cachedInputTokens), Number(s.inputTokens)),
      errorRate: ratio(s.errors, s.requests),
      avgLatencyMs: s.avgLatencyMs === null ? null : Math.round(s.avgLatencyMs),
      p95LatencyMs: s.p95LatencyMs === null ? null : Math.round(s.p95LatencyMs),
      avgTtftMs: s.avgTtftMs === null ? null : Math.round(s.avgTtftMs),
      effectiveCostUsd: nanosToUsd(cost),
      meteredListCostUsd: nanosToUsd(s.listCostNanos),
      costSource: fromExport === undefined ? 'ledger' : 'export',
      costPerRequestUsd: s.requests === 0 ? null : nanosToUsd(cost) / s.requests,
    };
  });
}
