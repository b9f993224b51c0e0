/**
 * Loads spend cells (time bucket x dimension values -> exact cost and tokens) from the store, from the usage
 * ledger and from ingested cost exports, so spend that never passed the gateway is watched too.
 * SQL is parameterised and read-only; cost comes back as exact decimal text and is parsed to nanos.
 */
import { parseUsd, type Nanos } from '../../core/index.js';
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
  const ms = GRAIN_MS[grain];
  const rows = await store.query(
    `SELECT CAST(floor(epoch_ms(start_time) / ${ms}) AS BIGINT) * ${ms} AS bucket,
            team, app, model, deployment, key_id, deployment_type,
            CAST(sum(cost_nanos) AS VARCHAR) AS cost,
            -- output_tokens already includes reasoning tokens (OpenAI usage semantics): never add them twice.
            CAST(sum(input_tokens + output_tokens) AS DOUBLE) AS tokens
       FROM usage_events WHERE start_time >= $1 AND start_time < $2
      GROUP BY ALL`,
    [from, to],
  );
  return toCells(
    'usage',
    rows,
    {
      team: 'team',
      app: 'app',
      model: 'model',
      deployment: 'deployment',
      key: 'key_id',
      deploymentType: 'deployment_type',
    },
    (c) => BigInt(c),
  );
}

/** Loads cost-export cells in [from, to) (EffectiveCost, falling back to BilledCost), by FOCUS/x_Ai columns and tags. */
export async function loadCostCells(
  store: CostStore,
  from: Date,
  to: Date,
  grain: Grain,
): Promise<SpendCell[]> {
  const ms = GRAIN_MS[grain];
  const rows = await store.query(
    `SELECT CAST(floor(epoch_ms("ChargePeriodStart") / ${ms}) AS BIGINT) * ${ms} AS bucket,
            json_extract_string("Tags", '$.team') AS team,
            json_extract_string("Tags", '$.app') AS app,
            "x_AiModel" AS model,
            coalesce("ResourceName", "ResourceId") AS deployment,
            "x_AiTokenType" AS token_type,
            "x_AiDeploymentType" AS deployment_type,
            "ServiceName" AS service,
            "SubAccountName" AS sub_account,
            CAST(sum(coalesce("EffectiveCost", "BilledCost", 0)) AS VARCHAR) AS cost,
            CAST(sum(CASE WHEN "x_AiTokenType" IN ('input','cached-input','output') THEN coalesce("ConsumedQuantity", 0) ELSE 0 END) AS DOUBLE) AS tokens
       FROM cost_rows WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2
      GROUP BY ALL`,
    [from, to],
  );
  return toCells(
    'costs',
    rows,
    {
      team: 'team',
      app: 'app',
      model: 'model',
      deployment: 'deployment',
      tokenType: 'token_type',
      deploymentType: 'deployment_type',
      service: 'service',
      subAccount: 'sub_account',
    },
    parseUsd,
  );
}

/** Query rows (bucket, dimension columns, cost as text, tokens) as cells; `dims` maps dimension to column. */
function toCells(
  source: SpendCell['source'],
  rows: readonly Record<string, unknown>[],
  dims: Record<string, string>,
  cost: (text: string) => bigint,
): SpendCell[] {
  const names = Object.entries(dims);
  return rows.map((r) => ({
    source,
    bucket: Number(r['bucket']),
    dims: Object.fromEntries(names.map(([dim, col]) => [dim, str(r[col])])),
    costNanos: cost(String(r['cost'] ?? '0')),
    tokens: Number(r['tokens'] ?? 0),
  }));
}

function str(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
}
