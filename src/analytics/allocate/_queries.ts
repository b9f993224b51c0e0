/** Named queries that feed allocation: the period's AI cost rows and the ledger's usage per consumer. */
import { TallyError, type TimeWindow } from '../../core/index.js';
import { FOCUS_COLUMNS, FOCUS_COLUMN_NAMES, type CostStore, type SqlParam } from '../../store/index.js';
import type { AllocationRule, ConsumerUsage, CostRow } from './_types.js';

// Text forms that keep decimals exact and datetimes in UTC whatever the session time zone is.
const selectList = FOCUS_COLUMNS.map((c) =>
  c.type === 'datetime'
    ? `strftime("${c.name}" AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS "${c.name}"`
    : `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`,
).join(', ');

/** Rows are AI spend when ingest classified them, or FOCUS files them under AI and Machine Learning. */
export const AI_ROW_SQL = `(coalesce("x_AiService", '') NOT IN ('', 'none') OR "x_AiModel" IS NOT NULL
  OR "x_AiDeploymentType" IS NOT NULL OR "ServiceCategory" = 'AI and Machine Learning')`;

/** Throws invalid_config for a match column that is neither a FOCUS/x_ column nor Tags.<key>. */
export function checkMatchColumn(col: string): void {
  if (FOCUS_COLUMN_NAMES.includes(col) || (col.startsWith('Tags.') && col.length > 5)) return;
  throw new TallyError(
    'invalid_config',
    `allocation.rules: unknown match column "${col}"; use a FOCUS or x_ column (e.g. ServiceName, x_AiDeploymentType) or Tags.<key>`,
    { field: 'allocation.rules.match', column: col },
  );
}

function ruleSql(rule: AllocationRule, params: SqlParam[]): string {
  const parts = Object.entries(rule.match).map(([col, values]) => {
    checkMatchColumn(col);
    let expr: string;
    if (col.startsWith('Tags.')) {
      params.push(`$."${col.slice(5).replace(/["\\]/g, '')}"`);
      expr = `json_extract_string("Tags", $${params.length})`;
    } else expr = `CAST("${col}" AS VARCHAR)`;
    const marks = values.map((v) => {
      params.push(v.trim().toLowerCase());
      return `$${params.length}`;
    });
    return `lower(trim(${expr})) IN (${marks.join(', ')})`;
  });
  return `(${parts.join(' AND ')})`;
}

/** The period's AI cost rows (and any row an allocation rule matches), by ChargePeriodStart, in a stable order. */
export async function loadCostRows(
  store: CostStore,
  w: TimeWindow,
  rules: readonly AllocationRule[],
): Promise<CostRow[]> {
  const params: SqlParam[] = [w.from, w.to];
  const scope = [AI_ROW_SQL, ...rules.map((r) => ruleSql(r, params))].join(' OR ');
  const rows = await store.query(
    `SELECT ${selectList} FROM cost_rows
     WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND (${scope})
     ORDER BY "ChargePeriodStart", _source_file, _source_line, _row_id`,
    params,
  );
  return rows.map((r, index) => {
    const values: Record<string, string | null> = {};
    for (const name of FOCUS_COLUMN_NAMES) {
      const v = r[name];
      values[name] = v === null || v === undefined || v === '' ? null : String(v);
    }
    return { index, values };
  });
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
