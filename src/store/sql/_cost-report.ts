/** The costs report in portable SQL: group by FOCUS or vendor x_ columns, time buckets, filters, team scope. */
import { TallyError } from '../../core/index.js';
import { FOCUS_COLUMNS } from '../focus-columns.js';
import type { SqlParam } from '../store.js';
import type { CostReportQuery, CostReportRow } from '../reports.js';
import type { Dialect, SqlRunner } from './dialect.js';

const BY_LOWER = new Map(FOCUS_COLUMNS.map((c) => [c.name.toLowerCase(), c]));

/** Tag dimensions a user names as columns: `team` and `app` are how Tally scopes spend (the ledger's names). */
const TAG_SHORTHANDS = new Set(['team', 'app']);
const TAG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/**
 * SQL for one grouping or filter column: a stored FOCUS column, a vendor x_ column read from x_Extra, one tag
 * (`Tags.<key>`, as allocation rules name them; `team` and `app` are short for `Tags.team` and `Tags.app`), its
 * key bound as a parameter.
 */
function dimension(d: Dialect, name: string, params: SqlParam[]): { sql: string; label: string } {
  const col = BY_LOWER.get(name.toLowerCase());
  if (col && col.name !== 'x_Extra') {
    const q = `"${col.name}"`;
    if (col.type === 'datetime') return { sql: d.secondText(q), label: col.name };
    return { sql: col.type === 'json' ? `CAST(${q} AS VARCHAR)` : q, label: col.name };
  }
  if (/^x_[A-Za-z0-9_]+$/.test(name)) return { sql: d.jsonText('"x_Extra"', name), label: name };
  const tag = TAG_SHORTHANDS.has(name.toLowerCase())
    ? name.toLowerCase()
    : /^tags\./i.test(name)
      ? name.slice(5)
      : null;
  if (tag !== null && TAG_KEY.test(tag)) return { sql: d.jsonTextBound('"Tags"', tag, params), label: name };
  throw new TallyError(
    'invalid_input',
    `--by ${name}: not a FOCUS column, an x_ column or a tag (Tags.<key>, or team / app)`,
    { field: 'by', allowed: FOCUS_COLUMNS.map((c) => c.name) },
  );
}

/** Runs the costs report; sums are exact decimals (9 places) returned as text. */
export async function costReport(r: SqlRunner, q: CostReportQuery): Promise<CostReportRow[]> {
  if (q.by.length === 0)
    throw new TallyError('invalid_input', 'give --by COL[,COL], e.g. --by ServiceCategory');
  const d = r.dialect;
  const params: SqlParam[] = [q.from, q.to];
  const dims = q.by.map((b) => dimension(d, b, params));
  if (q.granularity) {
    const unit = ({ day: 'day', week: 'week', month: 'month' } as const)[q.granularity];
    dims.unshift({ sql: d.dayText(`date_trunc('${unit}', "ChargePeriodStart")`), label: 'date' });
  }
  const bind = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = ['"ChargePeriodStart" >= $1', '"ChargePeriodStart" < $2'];
  if (q.aiOnly) where.push('"x_AiService" IS NOT NULL');
  for (const f of q.filters ?? []) where.push(`${dimension(d, f.column, params).sql} = ${bind(f.value)}`);
  if (q.teams)
    where.push(
      q.teams.length === 0 ? '1 = 0' : `${d.jsonText('"Tags"', 'team')} IN (${q.teams.map(bind).join(', ')})`,
    );
  const money = (c: string) => `CAST(CAST(coalesce(sum("${c}"), 0) AS DECIMAL(38,9)) AS VARCHAR)`;
  const keys = dims.map((_, i) => `d${i}`).join(', ');
  const rows = await r.query(
    `SELECT ${dims.map((x, i) => `${x.sql} AS d${i}`).join(', ')},
      ${money('BilledCost')} AS billed, ${money('EffectiveCost')} AS effective, ${money('ListCost')} AS list,
      count(*) AS n_rows
    FROM cost_rows WHERE ${where.join(' AND ')}
    GROUP BY ${keys}
    ORDER BY ${q.granularity ? 'd0, ' : ''}sum("BilledCost") DESC NULLS LAST, ${keys}`,
    params,
  );
  return rows.map((row) => ({
    dims: dims.map((x, i) => [x.label, row[`d${i}`] ?? null] as const),
    billed: String(row['billed']),
    effective: String(row['effective']),
    list: String(row['list']),
    rows: Number(row['n_rows']),
  }));
}
