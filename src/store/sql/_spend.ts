/** Spend series in portable SQL: per-bucket spend of a budget scope, and spend cells for forecasts and anomalies. */
import { parseUsd } from '../../core/index.js';
import type { SqlParam } from '../store.js';
import type { BucketSpend, SpendCellRow, SpendScope, SpendSource, Window } from '../reports.js';
import { bucketSql, type Dialect, type SqlRunner } from './dialect.js';

const USAGE_COLUMN: Record<Exclude<SpendScope, 'all'>, string> = {
  team: 'team',
  app: 'app',
  cost_center: 'cost_center',
  key: 'key_id',
  model: 'model',
};
const costColumn = (d: Dialect): Record<Exclude<SpendScope, 'all'>, string> => ({
  team: d.jsonText('"Tags"', 'team'),
  app: d.jsonText('"Tags"', 'app'),
  cost_center: `coalesce(${d.jsonText('"Tags"', 'cost_center')}, ${d.jsonText('"Tags"', 'costCenter')})`,
  key: d.jsonText('"Tags"', 'key'),
  model: '"x_AiModel"',
});

const wholeMs = (ms: number) => {
  if (!Number.isInteger(ms) || ms <= 0)
    throw new Error(`bucket size must be a positive integer of ms: ${ms}`);
  return ms;
};

/** Exact spend per bucket in [from, to) for a scope, from the ledger (nanos) or the exports (EffectiveCost). */
export async function spendByBucket(
  r: SqlRunner,
  q: { source: SpendSource; scope: SpendScope; value: string | null; from: Date; to: Date; bucketMs: number },
): Promise<BucketSpend[]> {
  const ms = wholeMs(q.bucketMs);
  const params: SqlParam[] = q.scope === 'all' ? [q.from, q.to] : [q.from, q.to, q.value ?? ''];
  if (q.source === 'usage') {
    const where = q.scope === 'all' ? '' : ` AND ${USAGE_COLUMN[q.scope]} = $3`;
    const rows = await r.query(
      `SELECT ${bucketSql(r.dialect, 'start_time', ms)} AS bucket, CAST(sum(cost_nanos) AS VARCHAR) AS cost
         FROM usage_events WHERE start_time >= $1 AND start_time < $2${where} GROUP BY 1`,
      params,
    );
    return rows.map((row) => ({ bucket: Number(row['bucket']), costNanos: BigInt(String(row['cost'])) }));
  }
  const where = q.scope === 'all' ? '' : ` AND ${costColumn(r.dialect)[q.scope]} = $3`;
  const rows = await r.query(
    `SELECT ${bucketSql(r.dialect, '"ChargePeriodStart"', ms)} AS bucket,
            CAST(sum(coalesce("EffectiveCost", "BilledCost", 0)) AS VARCHAR) AS cost
       FROM cost_rows WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2${where} GROUP BY 1`,
    params,
  );
  return rows.map((row) => ({ bucket: Number(row['bucket']), costNanos: parseUsd(String(row['cost'])) }));
}

const cellStr = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** Spend cells per bucket and dimension values in [from, to), from the ledger or the exports. */
export async function spendCells(
  r: SqlRunner,
  source: SpendSource,
  w: Window,
  bucketMs: number,
): Promise<SpendCellRow[]> {
  const ms = wholeMs(bucketMs);
  const d = r.dialect;
  if (source === 'usage') {
    const rows = await r.query(
      `SELECT ${bucketSql(d, 'start_time', ms)} AS bucket,
              team, app, model, deployment, key_id, deployment_type,
              CAST(sum(cost_nanos) AS VARCHAR) AS cost,
              -- output_tokens already includes reasoning tokens (OpenAI usage semantics): never add them twice.
              CAST(sum(input_tokens + output_tokens) AS DOUBLE PRECISION) AS tokens
         FROM usage_events WHERE start_time >= $1 AND start_time < $2
        GROUP BY 1, 2, 3, 4, 5, 6, 7`,
      [w.from, w.to],
    );
    const dims = { team: 'team', app: 'app', model: 'model', deployment: 'deployment', key: 'key_id' };
    return rows.map((row) => ({
      bucket: Number(row['bucket']),
      dims: {
        ...Object.fromEntries(Object.entries(dims).map(([dim, col]) => [dim, cellStr(row[col])])),
        deploymentType: cellStr(row['deployment_type']),
      },
      costNanos: BigInt(String(row['cost'] ?? '0')),
      tokens: Number(row['tokens'] ?? 0),
    }));
  }
  const rows = await r.query(
    `SELECT ${bucketSql(d, '"ChargePeriodStart"', ms)} AS bucket,
            ${d.jsonText('"Tags"', 'team')} AS team,
            ${d.jsonText('"Tags"', 'app')} AS app,
            "x_AiModel" AS model,
            coalesce("ResourceName", "ResourceId") AS deployment,
            "x_AiTokenType" AS token_type,
            "x_AiDeploymentType" AS deployment_type,
            "ServiceName" AS service,
            "SubAccountName" AS sub_account,
            "BillingCurrency" AS currency,
            CAST(sum(coalesce("EffectiveCost", "BilledCost", 0)) AS VARCHAR) AS cost,
            CAST(sum(CASE WHEN "x_AiTokenType" IN ('input','cached-input','output') THEN coalesce("ConsumedQuantity", 0) ELSE 0 END) AS DOUBLE PRECISION) AS tokens
       FROM cost_rows WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    [w.from, w.to],
  );
  const dims = {
    team: 'team',
    app: 'app',
    model: 'model',
    deployment: 'deployment',
    tokenType: 'token_type',
    deploymentType: 'deployment_type',
    service: 'service',
    subAccount: 'sub_account',
  };
  return rows.map((row) => ({
    bucket: Number(row['bucket']),
    dims: Object.fromEntries(Object.entries(dims).map(([dim, col]) => [dim, cellStr(row[col])])),
    // Cells never add two billing currencies: the scan converts each to the reporting currency (ADR 0041).
    currency: cellStr(row['currency']),
    costNanos: parseUsd(String(row['cost'] ?? '0')),
    tokens: Number(row['tokens'] ?? 0),
  }));
}
