/** Named queries that feed allocation: the period's AI cost rows and the ledger's usage per consumer. */
import { TallyError, type TimeWindow } from '../../core/index.js';
import { FOCUS_COLUMNS, FOCUS_COLUMN_NAMES, type CostStore, type SqlParam } from '../../store/index.js';
import type { AllocationRule, ConsumerUsage, CostRow } from './_types.js';

// Text forms that keep decimals exact and datetimes in UTC whatever the session time zone is.
const selectExpr = (c: (typeof FOCUS_COLUMNS)[number]) =>
  c.type === 'datetime'
    ? `strftime("${c.name}" AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS "${c.name}"`
    : `CAST("${c.name}" AS VARCHAR) AS "${c.name}"`;

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
  const where = `"ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND (${scope})`;
  // Reading a value costs more than counting a column: read only the columns this window fills (a real export
  // fills about half of them).
  const counts = (
    await store.query(
      `SELECT ${FOCUS_COLUMNS.map((c, i) => `count("${c.name}") AS c${i}`).join(', ')} FROM cost_rows WHERE ${where}`,
      params,
    )
  )[0];
  const used = FOCUS_COLUMNS.filter((_, i) => Number(counts?.[`c${i}`] ?? 0) > 0);
  if (used.length === 0) return [];
  // One JSON text per row (every value already exact text) reads far faster than one value per column.
  const struct = used.map((c) => `"${c.name}" := ${selectExpr(c).replace(/ AS "[^"]+"$/, '')}`).join(', ');
  const rows = await store.query(
    `SELECT CAST(to_json(struct_pack(${struct})) AS VARCHAR) AS j FROM cost_rows WHERE ${where}
     ORDER BY "ChargePeriodStart", _source_file, _source_line, _row_id`,
    params,
  );
  return rows.map((r, index) => {
    const parsed = JSON.parse(String(r['j'])) as Record<string, string | null>;
    const values: Record<string, string | null> = {};
    for (const name of FOCUS_COLUMN_NAMES) {
      const v = parsed[name];
      values[name] = v === null || v === undefined || v === '' ? null : String(v);
    }
    return { index, values };
  });
}

// Columns allocation and reconciliation read; everything else only matters to the FOCUS export.
const GROUP_COLUMNS = [
  'ResourceName',
  'ResourceId',
  'Tags',
  'ServiceName',
  'ServiceCategory',
  'ChargeCategory',
  'CommitmentDiscountId',
  'x_AiProvider',
  'x_AiModel',
  'x_AiDeploymentType',
  'x_AiTokenType',
  'x_AiService',
];

/**
 * The same rows as loadCostRows, summed in SQL over every row that allocation would treat alike (same resource,
 * model, meter, category and rule columns), per month or per UTC day. Costs stay exact DECIMAL sums; a month of
 * daily meters collapses ~30x, so reports stay fast on large exports.
 */
export async function loadCostGroups(
  store: CostStore,
  w: TimeWindow,
  rules: readonly AllocationRule[],
  opts: { byDay?: boolean } = {},
): Promise<CostRow[]> {
  const params: SqlParam[] = [w.from, w.to];
  const scope = [AI_ROW_SQL, ...rules.map((r) => ruleSql(r, params))].join(' OR ');
  const ruleCols = rules.flatMap((r) => Object.keys(r.match)).filter((c) => !c.startsWith('Tags.'));
  const cols = [...new Set([...GROUP_COLUMNS, ...ruleCols])];
  const keys = cols.map((c) => `CAST("${c}" AS VARCHAR) AS "${c}"`).join(', ');
  const period = opts.byDay
    ? `strftime(date_trunc('day', "ChargePeriodStart" AT TIME ZONE 'UTC'), '%Y-%m-%dT%H:%M:%SZ')`
    : `strftime(min("ChargePeriodStart") AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`;
  // A sum is null when any part is (so "no list cost" survives grouping); effective falls back to billed per row.
  const sumOf = (expr: string) =>
    `CASE WHEN count(${expr}) = count(*) THEN CAST(sum(${expr}) AS VARCHAR) END`;
  const rows = await store.query(
    `SELECT ${keys}, ${period} AS "ChargePeriodStart",
       ${sumOf('"BilledCost"')} AS "BilledCost", ${sumOf('coalesce("EffectiveCost", "BilledCost")')} AS "EffectiveCost",
       ${sumOf('"ListCost"')} AS "ListCost", count(*) AS _rows
     FROM cost_rows
     WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND (${scope})
     GROUP BY ALL
     ORDER BY ALL`,
    params,
  );
  return rows.map((r, index) => {
    const values: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(r))
      values[k] = v === null || v === undefined || v === '' ? null : String(v);
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

/**
 * The exclusive end of the last UTC day the cost export covers: the latest ChargePeriodEnd of its daily (or
 * shorter) charges. Monthly purchases run to the month's end and say nothing about how far usage is billed, so
 * they are left out (unless the export has nothing finer: a monthly export covers its months). Null when no
 * cost rows are stored.
 */
export async function loadExportThrough(store: CostStore): Promise<Date | null> {
  const rows = await store.query(
    `SELECT CAST(epoch_ms(coalesce(
        max("ChargePeriodEnd") FILTER (WHERE "ChargePeriodEnd" <= "ChargePeriodStart" + INTERVAL 1 DAY),
        max("ChargePeriodEnd"))) AS DOUBLE) AS through FROM cost_rows`,
  );
  const v = rows[0]?.['through'];
  if (v === null || v === undefined) return null;
  const ms = Number(v);
  return Number.isFinite(ms) ? new Date(Math.ceil(ms / 86_400_000) * 86_400_000) : null;
}

/** The billing currencies of the window's cost rows (null-free, sorted). */
export async function loadBillingCurrencies(store: CostStore, w: TimeWindow): Promise<string[]> {
  const rows = await store.query(
    `SELECT DISTINCT "BillingCurrency" AS c FROM cost_rows
      WHERE "ChargePeriodStart" >= $1 AND "ChargePeriodStart" < $2 AND "BillingCurrency" IS NOT NULL ORDER BY 1`,
    [w.from, w.to],
  );
  return rows.map((r) => String(r['c']));
}
