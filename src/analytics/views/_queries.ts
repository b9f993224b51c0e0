/** Named queries for the persona views: budgets per cost center and latency/cache stats per deployment. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { DeploymentStats } from './engineering.js';

/** Monthly budgets per cost center, in nanos (empty when the budgets table has none or another shape). */
export async function loadCostCenterBudgets(store: CostStore): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  let rows;
  try {
    rows = await store.query(
      `SELECT scope_kind, scope_value, period, CAST(amount_nanos AS VARCHAR) AS amount FROM budgets
       WHERE scope_value IS NOT NULL ORDER BY created_at`,
    );
  } catch {
    return out; // the budgets module owns this table; a report must not fail because of it
  }
  for (const r of rows) {
    const kind = String(r['scope_kind']).toLowerCase().replace(/[-_]/g, '');
    const period = String(r['period']).toLowerCase();
    if (kind === 'costcenter' && (period === 'month' || period === 'monthly'))
      out.set(String(r['scope_value']), BigInt(String(r['amount'])));
  }
  return out;
}

/** Requests, tokens, cache and latency per model and deployment over the window. */
export async function loadDeploymentStats(store: CostStore, w: TimeWindow): Promise<DeploymentStats[]> {
  const rows = await store.query(
    `SELECT model, deployment, deployment_type, count(*) AS requests,
       CAST(sum(input_tokens) AS VARCHAR) AS input_tokens, CAST(sum(cached_input_tokens) AS VARCHAR) AS cached,
       CAST(sum(output_tokens) AS VARCHAR) AS output_tokens,
       count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
       count(*) FILTER (WHERE http_status >= 400) AS errors,
       avg(duration_ms) AS avg_ms, quantile_cont(duration_ms, 0.95) AS p95_ms, avg(ttft_ms) AS ttft_ms,
       CAST(sum(cost_nanos) AS VARCHAR) AS cost, CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost
     FROM usage_events WHERE start_time >= $1 AND start_time < $2
     GROUP BY ALL ORDER BY sum(cost_nanos) DESC, model, deployment`,
    [w.from, w.to],
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    model: String(r['model']),
    deployment: r['deployment'] === null ? null : String(r['deployment']),
    deploymentType: String(r['deployment_type']),
    requests: Number(r['requests']),
    inputTokens: BigInt(String(r['input_tokens'] ?? '0')),
    cachedInputTokens: BigInt(String(r['cached'] ?? '0')),
    outputTokens: BigInt(String(r['output_tokens'] ?? '0')),
    cacheHits: Number(r['cache_hits']),
    errors: Number(r['errors']),
    avgLatencyMs: num(r['avg_ms']),
    p95LatencyMs: num(r['p95_ms']),
    avgTtftMs: num(r['ttft_ms']),
    costNanos: BigInt(String(r['cost'] ?? '0')),
    listCostNanos: BigInt(String(r['list_cost'] ?? '0')),
  }));
}
