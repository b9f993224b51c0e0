/** Named query for carbon: output tokens and requests per grouping value, model, provider and region. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { CarbonBy, TokenGroup } from './carbon.js';

const COLUMN: Record<CarbonBy, string> = {
  team: 'team',
  app: 'app',
  model: 'model',
  region: 'region',
  deployment: 'deployment',
  environment: 'environment',
  'cost-center': 'cost_center',
};

/** Output tokens and requests per (by, model, provider, region) in the window, optionally for some teams only. */
export async function loadTokenGroups(
  store: CostStore,
  w: TimeWindow,
  by: CarbonBy,
  teams?: readonly string[],
): Promise<TokenGroup[]> {
  const only = teams ? `AND team IN (${teams.map((_, i) => `$${i + 3}`).join(', ') || 'NULL'})` : '';
  const rows = await store.query(
    `SELECT ${COLUMN[by]} AS key, model, provider, region, count(*) AS requests, sum(output_tokens) AS output
     FROM usage_events WHERE start_time >= $1 AND start_time < $2 ${only} GROUP BY ALL ORDER BY ALL`,
    [w.from, w.to, ...(teams ?? [])],
  );
  return rows.map((r) => ({
    key: r['key'] === null ? null : String(r['key']),
    model: String(r['model']),
    provider: String(r['provider']),
    region: r['region'] === null ? null : String(r['region']),
    requests: Number(r['requests']),
    outputTokens: Number(r['output']),
  }));
}
