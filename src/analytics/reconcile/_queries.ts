/** Named query for reconciliation: the ledger's metered usage per deployment, model, type and UTC day. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { MeteredUsage } from './reconcile.js';

/** Metered usage over the window (money as exact integer text, read back into bigints). */
export async function loadMeteredUsage(store: CostStore, w: TimeWindow): Promise<MeteredUsage[]> {
  const rows = await store.query(
    `SELECT upstream, deployment, model, deployment_type, strftime(start_time AT TIME ZONE 'UTC', '%Y-%m-%d') AS day,
       count(*) AS requests, CAST(sum(input_tokens) AS VARCHAR) AS input_tokens,
       CAST(sum(output_tokens) AS VARCHAR) AS output_tokens,
       CAST(sum(cost_nanos) AS VARCHAR) AS cost, CAST(sum(list_cost_nanos) AS VARCHAR) AS list_cost,
       string_agg(DISTINCT price_version, '|') AS price_versions
     FROM usage_events WHERE start_time >= $1 AND start_time < $2
     GROUP BY ALL ORDER BY day, deployment, model`,
    [w.from, w.to],
  );
  return rows.map((r) => ({
    upstream: r['upstream'] === null ? null : String(r['upstream']),
    deployment: r['deployment'] === null ? null : String(r['deployment']),
    model: String(r['model']),
    deploymentType: String(r['deployment_type']),
    day: String(r['day']),
    requests: Number(r['requests']),
    inputTokens: BigInt(String(r['input_tokens'] ?? '0')),
    outputTokens: BigInt(String(r['output_tokens'] ?? '0')),
    costNanos: BigInt(String(r['cost'] ?? '0')),
    listCostNanos: BigInt(String(r['list_cost'] ?? '0')),
    priceVersions: r['price_versions'] ? String(r['price_versions']).split('|') : [],
  }));
}
