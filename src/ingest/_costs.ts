/** The costs report: billed, effective and list cost over a window, grouped by any FOCUS or x_ column. */
import { TallyError, exactDecimalText } from '../core/index.js';
import { FOCUS_COLUMNS, type CostStore } from '../store/index.js';
import { ident, lit } from './_sql.js';

/** A costs query. */
export interface CostsQuery {
  readonly by: readonly string[];
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly aiOnly?: boolean;
  /** Time buckets: adds a `date` column (bucket start, YYYY-MM-DD, UTC) ahead of the grouping columns. */
  readonly granularity?: 'day' | 'week' | 'month' | undefined;
  /** Equality filters on any groupable column (`COL=VALUE`). */
  readonly filters?: readonly { readonly column: string; readonly value: string }[];
  /** Only rows tagged with one of these teams (the `team` tag); a team-scoped caller's view. */
  readonly teams?: readonly string[] | undefined;
}

/** Granularities of the costs report. */
export const COST_GRANULARITIES = ['day', 'week', 'month'] as const;

/**
 * One grouped row: the grouping values, the billing currency, costs as exact decimal text in that currency
 * (as stored, never through a float) and the row count. Rows in different currencies are never summed together.
 */
export type CostsRow = Record<string, unknown> & {
  currency: string | null;
  billedCost: string;
  effectiveCost: string;
  listCost: string;
};

const BY_LOWER = new Map(FOCUS_COLUMNS.map((c) => [c.name.toLowerCase(), c]));

/** SQL for one grouping column: a stored column, or a vendor x_ column read from x_Extra. */
function dimension(name: string): { sql: string; label: string } {
  const col = BY_LOWER.get(name.toLowerCase());
  if (col && col.name !== 'x_Extra') {
    const sql =
      col.type === 'datetime' ? `strftime(${ident(col.name)}, '%Y-%m-%dT%H:%M:%SZ')` : ident(col.name);
    return { sql: col.type === 'json' ? `CAST(${sql} AS VARCHAR)` : sql, label: col.name };
  }
  if (/^x_[A-Za-z0-9_]+$/.test(name))
    return { sql: `json_extract_string(x_Extra, ${lit('$.' + name)})`, label: name };
  throw new TallyError('invalid_input', `--by ${name}: not a FOCUS column or an x_ column`, {
    field: 'by',
    allowed: FOCUS_COLUMNS.map((c) => c.name),
  });
}

/** Runs the costs report. Sums are exact decimals in SQL and stay exact text in the output. */
export async function queryCosts(store: CostStore, q: CostsQuery): Promise<CostsRow[]> {
  if (q.by.length === 0)
    throw new TallyError('invalid_input', 'give --by COL[,COL], e.g. --by ServiceCategory');
  const dims = q.by.map(dimension);
  if (q.granularity)
    dims.unshift({
      sql: `strftime(date_trunc(${lit(q.granularity)}, "ChargePeriodStart"), '%Y-%m-%d')`,
      label: 'date',
    });
  const where: string[] = ['"ChargePeriodStart" >= $1', '"ChargePeriodStart" < $2'];
  if (q.aiOnly) where.push('x_AiService IS NOT NULL');
  for (const f of q.filters ?? []) where.push(`${dimension(f.column).sql} = ${lit(f.value)}`);
  if (q.teams)
    where.push(
      q.teams.length === 0
        ? 'false'
        : `json_extract_string("Tags", '$.team') IN (${q.teams.map(lit).join(', ')})`,
    );
  // One group per billing currency as well: amounts in different currencies are never added.
  if (!q.by.some((b) => b.toLowerCase() === 'billingcurrency'))
    dims.push({ sql: ident('BillingCurrency'), label: 'currency' });
  const money = (c: string) => `CAST(coalesce(sum(${ident(c)}), 0) AS VARCHAR)`;
  const sql = `SELECT ${dims.map((d, i) => `${d.sql} AS d${i}`).join(', ')},
      ${money('BilledCost')} AS billed, ${money('EffectiveCost')} AS effective, ${money('ListCost')} AS list,
      count(*) AS rows
    FROM cost_rows WHERE ${where.join(' AND ')}
    GROUP BY ${dims.map((_, i) => `d${i}`).join(', ')}
    ORDER BY ${q.granularity ? 'd0, ' : ''}sum("BilledCost") DESC NULLS LAST, ${dims.map((_, i) => `d${i}`).join(', ')}`;
  // Time columns print as UTC whatever the machine's zone is.
  await store.exec("SET TimeZone = 'UTC'");
  const rows = await store.query(sql, [q.from ?? new Date(0), q.to ?? new Date('9999-01-01T00:00:00Z')]);
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    dims.forEach((d, i) => (out[d.label] = r[`d${i}`] ?? null));
    return {
      ...out,
      currency: (out['currency'] ?? out['BillingCurrency'] ?? null) as string | null,
      billedCost: exactDecimalText(String(r['billed'])),
      effectiveCost: exactDecimalText(String(r['effective'])),
      listCost: exactDecimalText(String(r['list'])),
      rows: Number(r['rows']),
    };
  });
}
