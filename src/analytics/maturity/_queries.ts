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

async function exists(store: CostStore, table: string): Promise<boolean> {
  const [r] = await store.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1', [
    table,
  ]);
  return Number(r?.['n'] ?? 0) > 0;
}

const big = (v: unknown): bigint => BigInt(String(v ?? '0').split('.')[0] ?? '0');

/** Loads the facts for one window. */
export async function loadMaturityFacts(store: CostStore, w: TimeWindow): Promise<MaturityFacts> {
  const p = [w.from, w.to];
  const [u] = await store.query(
    `SELECT CAST(coalesce(sum(cost_nanos), 0) AS VARCHAR) AS cost,
       CAST(coalesce(sum(cost_nanos) FILTER (WHERE team IS NOT NULL AND app IS NOT NULL), 0) AS VARCHAR) AS tagged,
       CAST(coalesce(sum(list_cost_nanos), 0) AS VARCHAR) AS list, count(DISTINCT app) AS apps
     FROM usage_events WHERE start_time >= $1 AND start_time < $2`,
    p,
  );
  const teams = await store.query(
    `SELECT DISTINCT team FROM usage_events WHERE start_time >= $1 AND start_time < $2 AND team IS NOT NULL ORDER BY 1`,
    p,
  );
  let exportList: bigint | null = null;
  if (await exists(store, 'cost_rows')) {
    const [c] = await store.query(
      `SELECT count(*) AS n, CAST(coalesce(sum(ListCost), 0) * 1000000000 AS VARCHAR) AS list FROM cost_rows
       WHERE x_AiTokenType IS NOT NULL AND x_AiTokenType <> 'none' AND ChargePeriodStart >= $1 AND ChargePeriodStart < $2`,
      p,
    );
    if (Number(c?.['n'] ?? 0) > 0) exportList = big(c?.['list']);
  }
  const [k] = await store.query(
    `SELECT count(*) AS n, count(*) FILTER (WHERE json_extract(config, '$.allowedModels') IS NOT NULL
       OR json_extract(config, '$.tpm') IS NOT NULL OR json_extract(config, '$.budget') IS NOT NULL
       OR json_extract(config, '$.quota') IS NOT NULL) AS limited
     FROM virtual_keys WHERE status = 'active'`,
  );
  const kpis = (await exists(store, 'business_kpis'))
    ? await store.query(
        `SELECT count(DISTINCT app) AS n FROM business_kpis WHERE day >= CAST($1 AS DATE) AND day < CAST($2 AS DATE)`,
        [w.from.toISOString().slice(0, 10), w.to.toISOString().slice(0, 10)],
      )
    : [];
  const triaged = (await exists(store, 'incident_states'))
    ? await store.query(`SELECT count(*) AS n FROM incident_states WHERE state <> 'new'`)
    : [];
  return {
    ledgerCostNanos: big(u?.['cost']),
    taggedCostNanos: big(u?.['tagged']),
    ledgerListNanos: big(u?.['list']),
    exportTokenListNanos: exportList,
    activeKeys: Number(k?.['n'] ?? 0),
    keysWithLimits: Number(k?.['limited'] ?? 0),
    teamsWithSpend: teams.map((r) => String(r['team'])),
    appsWithSpend: Number(u?.['apps'] ?? 0),
    appsWithKpis: Number(kpis[0]?.['n'] ?? 0),
    incidentsTriaged: Number(triaged[0]?.['n'] ?? 0),
  };
}
