/** Daily spend of one budget scope from the store: the usage ledger, or cost exports when the ledger is empty. */
import { parseUsd, type Nanos } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';

/** Budget scope kinds. */
export type BudgetScope = 'all' | 'team' | 'app' | 'cost_center' | 'key' | 'model';

const USAGE_COLUMN: Record<Exclude<BudgetScope, 'all'>, string> = {
  team: 'team',
  app: 'app',
  cost_center: 'cost_center',
  key: 'key_id',
  model: 'model',
};
const COST_COLUMN: Record<Exclude<BudgetScope, 'all'>, string> = {
  team: `json_extract_string("Tags", '$.team')`,
  app: `json_extract_string("Tags", '$.app')`,
  cost_center: `coalesce(json_extract_string("Tags", '$.cost_center'), json_extract_string("Tags", '$.costCenter'))`,
  key: `json_extract_string("Tags", '$.key')`,
  model: '"x_AiModel"',
};

/** Exact spend per UTC day (epoch ms of the day start) in [from, to) for a scope. */
export async function loadDailySpend(
  store: CostStore,
  scope: BudgetScope,
  value: string | null,
  from: Date,
  to: Date,
): Promise<Map<number, Nanos>> {
  const out = new Map<number, Nanos>();
  const usageRows = await store.query('SELECT count(*) AS n FROM usage_events');
  const useLedger = Number(usageRows[0]?.['n'] ?? 0) > 0;
  const params = scope === 'all' ? [from, to] : [from, to, value ?? ''];
  if (useLedger) {
    const where = scope === 'all' ? '' : ` AND ${USAGE_COLUMN[scope]} = $3`;
    const rows = await store.query(
      `SELECT CAST(floor(epoch_ms(start_time) / 86400000) AS BIGINT) * 86400000 AS day,
              CAST(sum(cost_nanos) AS VARCHAR) AS cost
         FROM usage_events WHERE start_time >= $1 AND start_time < $2${where} GROUP BY ALL`,
      params,
    );
    for (const r of rows) out.set(Number(r['day']), BigInt(String(r['cost'])));
    return out;
  }
  const where = scope === 'all' ? '' : ` AND ${COST_COLUMN[scope]} = $3`;
  const rows = await store.query(
    `SELECT CAST(floor(epoch_ms("ChargePeriodStart") / 86400000) AS BIGINT) * 86400000 AS day,
            CAST(sum(coalesce("EffectiveCost", "BilledCost", 0)) AS VARCHAR) AS cost
       FROM cost_rows WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2${where} GROUP BY ALL`,
    params,
  );
  for (const r of rows) out.set(Number(r['day']), parseUsd(String(r['cost'])));
  return out;
}
