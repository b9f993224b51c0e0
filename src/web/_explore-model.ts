/**
 * The spend explorer's model: its URL parameters, the `costs` report parameters they map to, and the rows a
 * costs document folds into (one per group, exact sums; per bucket for the chart).
 */
import { TallyError } from '../core/index.js';
import {
  addDays,
  buckets,
  daysBetween,
  isDay,
  presetWindow,
  previousWindow,
  PRESETS,
  type Granularity,
  type Preset,
} from './_dates.js';
import { sumMoney } from './_format.js';
import { OTHER, type StackSeries } from './_charts.js';
import type { PageReq } from './_page.js';

/** Dimensions offered in the group-by menu; any FOCUS or x_ column, or tag (Tags.<key>), in the URL works too. */
export const DIMENSIONS: readonly { col: string; label: string }[] = [
  { col: 'x_AiModel', label: 'Model' },
  { col: 'team', label: 'Team' },
  { col: 'app', label: 'App' },
  { col: 'x_AiDeploymentType', label: 'Deployment type' },
  { col: 'x_AiTokenType', label: 'Token type' },
  { col: 'ServiceName', label: 'Service' },
  { col: 'ServiceCategory', label: 'Service category' },
  { col: 'ChargeCategory', label: 'Charge category' },
  { col: 'SubAccountName', label: 'Subscription' },
  { col: 'RegionName', label: 'Region' },
  { col: 'ResourceName', label: 'Resource' },
  { col: 'x_ResourceGroupName', label: 'Resource group' },
];

/** The cost metrics a costs document carries. */
export const METRICS = { billed: 'billedCost', effective: 'effectiveCost', list: 'listCost' } as const;
/** A metric's URL name. */
export type Metric = keyof typeof METRICS;

/** What the explorer shows, parsed from its URL. */
export interface ExploreQuery {
  readonly from: string;
  readonly to: string;
  readonly granularity: Granularity;
  readonly by: string;
  readonly metric: Metric;
  readonly filters: readonly string[];
  readonly compare: boolean;
  readonly aiOnly: boolean;
}

const COLUMN = /^(x_[A-Za-z0-9_]+|[A-Z][A-Za-z0-9]+|team|app|Tags\.[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63})$/;

/** Reads and checks the explorer's parameters; defaults to the last 30 days by model, effective cost. */
export function parseExplore(r: PageReq): ExploreQuery {
  const preset = r.query('preset');
  const w =
    preset && preset in PRESETS ? presetWindow(preset as Preset, r.today) : presetWindow('last-30', r.today);
  const from = r.query('from') ?? w.from;
  const to = r.query('to') ?? w.to;
  if (!isDay(from) || !isDay(to) || to <= from)
    throw new TallyError('invalid_input', 'Choose a start date before the end date (YYYY-MM-DD).');
  if (daysBetween(from, to) > 731) throw new TallyError('invalid_input', 'Choose at most two years.');
  const by = r.query('by') ?? 'x_AiModel';
  if (!COLUMN.test(by))
    throw new TallyError(
      'invalid_input',
      `"${by}" is not a FOCUS or x_ column, or a tag (team, app, Tags.<key>).`,
    );
  const g = r.query('granularity');
  const m = r.query('metric');
  const filters = r.queryAll('filter').flatMap((f) =>
    f
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const f of filters)
    if (!COLUMN.test(f.slice(0, f.indexOf('='))))
      throw new TallyError('invalid_input', `Filter "${f}" is not COLUMN=VALUE.`);
  return {
    from,
    to,
    granularity:
      g === 'day' || g === 'week' || g === 'month' ? g : daysBetween(from, to) > 92 ? 'month' : 'day',
    by,
    metric: m === 'billed' || m === 'list' ? m : 'effective',
    filters,
    compare: r.query('compare') === '1',
    aiOnly: r.query('ai') === '1',
  };
}

/** The explorer's own URL parameters for a query (to build links that change one thing). */
export function exploreParams(q: ExploreQuery, change: Partial<ExploreQuery> = {}): URLSearchParams {
  const v = { ...q, ...change };
  const p = new URLSearchParams({
    from: v.from,
    to: v.to,
    granularity: v.granularity,
    by: v.by,
    metric: v.metric,
  });
  for (const f of v.filters) p.append('filter', f);
  if (v.compare) p.set('compare', '1');
  if (v.aiOnly) p.set('ai', '1');
  return p;
}

/** The `costs` report parameters for a window of the query. */
export function costsParams(q: ExploreQuery, w: { from: string; to: string } = q): Record<string, string> {
  const p: Record<string, string> = { from: w.from, to: w.to, by: q.by, granularity: q.granularity };
  if (q.filters.length) p['filter'] = q.filters.join(';');
  if (q.aiOnly) p['aiOnly'] = 'true';
  return p;
}

/**
 * The part of the window a comparison measures: its complete days. A window that includes `today` holds a partial
 * day (exports lag, the ledger is mid-day), which set against a whole day of the previous window reads as a fall;
 * today is left out of the change. Null when the window has no complete day.
 */
export function comparedWindow(q: ExploreQuery, today: string): { from: string; to: string } | null {
  const to = q.to > today ? today : q.to;
  return to > q.from ? { from: q.from, to } : null;
}

/** The window the comparison reads: the period before the compared days, as long as they are. */
export function compareWindow(q: ExploreQuery, today: string): { from: string; to: string } {
  return previousWindow(comparedWindow(q, today) ?? q);
}

/** One row of a costs document. */
export type CostRow = Record<string, unknown> & {
  billedCost?: unknown;
  effectiveCost?: unknown;
  listCost?: unknown;
};

/** One group of the table: the group's value and its exact totals. */
export interface GroupRow {
  readonly group: string | null;
  readonly billedCost: string;
  readonly effectiveCost: string;
  readonly listCost: string;
  readonly rows: number;
  readonly previous: string | null;
  /** The chosen metric over the compared (complete) days, which the change sets against `previous`. */
  readonly compared: string | null;
}

/** A costs document as rows (anything else is a server fault worth saying so). */
export function costRows(doc: unknown): CostRow[] {
  if (!Array.isArray(doc)) throw new TallyError('internal', 'costs report is not a list of rows');
  return doc as CostRow[];
}

function groupKey(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
}

/** Which amounts of a costs document the page adds, and their currency. */
export interface CostAmounts {
  readonly currency: string;
  /** The row field holding metric `k` in `currency` (`convertedBilledCost` when rows were converted). */
  readonly field: (k: 'billedCost' | 'effectiveCost' | 'listCost') => string;
}

/**
 * The currency the explorer adds in (ADR 0041): the reporting currency when the rows carry their converted
 * amounts (`tally costs` adds them whatever the billing currency), else the rows' one billing currency. Two
 * currencies with no conversion, or a missing rate, are refused: never added.
 */
export function costAmounts(rows: readonly CostRow[]): CostAmounts {
  const missing = [
    ...new Set(rows.flatMap((r) => (typeof r['missingRate'] === 'string' ? [r['missingRate']] : []))),
  ];
  if (missing.length)
    throw new TallyError('conflict', `No exchange rate ${missing.join(', ')}: the amounts cannot be added.`);
  const converted = rows.length > 0 && rows.every((r) => typeof r['reportingCurrency'] === 'string');
  const currencies = new Set(
    rows.map((r) => String(converted ? r['reportingCurrency'] : (r['currency'] ?? 'USD'))),
  );
  if (currencies.size > 1)
    throw new TallyError(
      'conflict',
      `Amounts in ${[...currencies].sort().join(' and ')} with no exchange rate: set reporting.currency and a rate.`,
    );
  return {
    currency: [...currencies][0] ?? 'USD',
    field: (k) => (converted ? `converted${k[0]!.toUpperCase()}${k.slice(1)}` : k),
  };
}

/** Folds rows into one row per group with exact sums, largest first by the chosen metric. */
export function groupRows(
  q: ExploreQuery,
  rows: readonly CostRow[],
  previous?: readonly CostRow[],
  /** The rows of the compared days when they are fewer than the window's (today left out); else `rows`. */
  compared?: readonly CostRow[],
): GroupRow[] {
  const cur = costAmounts(rows);
  const prevField = previous?.length ? costAmounts(previous).field(METRICS[q.metric]) : METRICS[q.metric];
  const groups = new Map<string | null, CostRow[]>();
  for (const r of rows) {
    const k = groupKey(r[q.by]);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const prev = new Map<string | null, unknown[]>();
  for (const r of previous ?? []) {
    const k = groupKey(r[q.by]);
    const list = prev.get(k);
    if (list) list.push(r[prevField]);
    else prev.set(k, [r[prevField]]);
  }
  const comparedField = compared?.length ? costAmounts(compared).field(METRICS[q.metric]) : null;
  const comp = new Map<string | null, unknown[]>();
  for (const r of compared ?? []) {
    const k = groupKey(r[q.by]);
    const list = comp.get(k);
    if (list) list.push(r[comparedField!]);
    else comp.set(k, [r[comparedField!]]);
  }
  const out = [...groups].map(([group, rs]) => ({
    group,
    billedCost: sumMoney(rs.map((r) => r[cur.field('billedCost')])),
    effectiveCost: sumMoney(rs.map((r) => r[cur.field('effectiveCost')])),
    listCost: sumMoney(rs.map((r) => r[cur.field('listCost')])),
    rows: rs.reduce((s, r) => s + (typeof r['rows'] === 'number' ? r['rows'] : 0), 0),
    previous: previous ? sumMoney(prev.get(group) ?? []) : null,
    compared: compared ? sumMoney(comp.get(group) ?? []) : null,
  }));
  const key = METRICS[q.metric];
  return out.sort(
    (a, b) => Number(b[key]) - Number(a[key]) || String(a.group).localeCompare(String(b.group)),
  );
}

/** Chart series: the top `top` groups by the metric, the rest folded into "other", one value per bucket. */
export function chartSeries(
  q: ExploreQuery,
  rows: readonly CostRow[],
  groups: readonly GroupRow[],
  top = 8,
): { buckets: string[]; series: StackSeries[] } {
  const bs = buckets(q, q.granularity);
  const index = new Map(bs.map((b, i) => [b, i]));
  const named = groups.slice(0, top).map((g) => g.group);
  const names = [...named.map((g) => g ?? '(none)'), ...(groups.length > top ? [OTHER] : [])];
  const values = names.map(() => bs.map(() => 0));
  const field = rows.length ? costAmounts(rows).field(METRICS[q.metric]) : METRICS[q.metric];
  for (const r of rows) {
    const date = typeof r['date'] === 'string' ? r['date'].slice(0, 10) : null;
    const i = date === null ? undefined : index.get(date);
    if (i === undefined) continue;
    const gi = named.indexOf(groupKey(r[q.by]));
    const si = gi >= 0 ? gi : names.length - 1;
    values[si]![i]! += Number(r[field] ?? 0);
  }
  return { buckets: bs, series: names.map((name, i) => ({ name, values: values[i]! })) };
}

/** True when the document has time buckets (rows carry `date`). */
export function hasBuckets(rows: readonly CostRow[]): boolean {
  return rows.length > 0 && rows.every((r) => typeof r['date'] === 'string');
}

/**
 * The first time bucket holding cost rows when it is later than the window's first bucket (the store's data start
 * inside the window, so a change against it overstates growth); null when the rows cover the start or carry no
 * time buckets.
 */
export function lateStart(
  w: { from: string; to: string },
  granularity: Granularity,
  rows: readonly CostRow[],
): string | null {
  if (!hasBuckets(rows)) return null;
  const first = rows.reduce((m, r) => {
    const d = String(r['date']).slice(0, 10);
    return d < m ? d : m;
  }, '9999-12-31');
  const start = buckets(w, granularity)[0];
  return start !== undefined && first > start ? first : null;
}

/** The last day shown, for "to" labels (the window's end is exclusive). */
export function lastDay(q: { to: string }): string {
  return addDays(q.to, -1);
}
