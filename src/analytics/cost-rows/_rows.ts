import { addDecimalText, compareDecimalText, TallyError } from '../../core/index.js';

/** One row of `tally costs --json`: group columns, `currency`, exact amounts as decimal strings, `rows`. */
export type CostsRow = Record<string, unknown>;

const AMOUNTS = ['billedCost', 'effectiveCost', 'listCost'] as const;
const CONVERTED = ['convertedBilledCost', 'convertedEffectiveCost', 'convertedListCost'] as const;
/** The group value of folded rows. */
const OTHER = '(other)';

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '0');

/** A row's effective cost in the reporting currency when converted, else as billed; for ranking. */
const rankOf = (r: CostsRow): string => text(r['convertedEffectiveCost'] ?? r['effectiveCost']);

const groupKey = (r: CostsRow, by: readonly string[]) => JSON.stringify(by.map((c) => r[c] ?? null));

/**
 * The `top` groups (by the `by` columns) with the largest effective cost over the window, the rest folded into
 * one group whose every column is "(other)" (one row per currency, and per date with buckets). Order: largest
 * first, "(other)" last.
 */
export function topCostRows(rows: readonly CostsRow[], by: readonly string[], top: number): CostsRow[] {
  const totals = new Map<string, string>();
  for (const r of rows) {
    const k = groupKey(r, by);
    totals.set(k, addDecimalText(totals.get(k) ?? '0', rankOf(r)));
  }
  const ranked = [...totals].sort((a, b) => compareDecimalText(b[1], a[1]) || a[0].localeCompare(b[0]));
  if (ranked.length <= top) return sortByRank(rows, by, ranked);
  const keep = new Set(ranked.slice(0, top).map(([k]) => k));
  const kept = rows.filter((r) => keep.has(groupKey(r, by)));
  const folded = new Map<string, CostsRow>();
  for (const r of rows) {
    if (keep.has(groupKey(r, by))) continue;
    const k = JSON.stringify([r['currency'] ?? null, r['date'] ?? null]);
    const o = folded.get(k);
    if (!o) {
      const row: CostsRow = { ...r };
      if (isAmounts(r['previous'])) row['previous'] = { ...r['previous'] };
      for (const c of by) row[c] = OTHER;
      folded.set(k, row);
      continue;
    }
    addInto(o, r);
    o['rows'] = Number(o['rows'] ?? 0) + Number(r['rows'] ?? 0);
    if (isAmounts(o['previous']) && isAmounts(r['previous'])) addInto(o['previous'], r['previous']);
  }
  for (const o of folded.values())
    if (isAmounts(o['previous']))
      o['changePct'] = changePct(o['effectiveCost'], o['previous']['effectiveCost']);
  return [...sortByRank(kept, by, ranked), ...folded.values()];
}

const isAmounts = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Adds `r`'s amounts into `o`'s, exactly. */
function addInto(o: Record<string, unknown>, r: Record<string, unknown>): void {
  for (const f of [...AMOUNTS, ...CONVERTED])
    if (r[f] !== undefined || o[f] !== undefined) o[f] = addDecimalText(text(o[f]), text(r[f]));
}

/** Percent change from `before` to `now` (two decimals: a float is exact enough for a percent); null from zero. */
function changePct(now: unknown, before: unknown): number | null {
  if (compareDecimalText(text(before), '0') === 0) return null;
  const b = Number(text(before));
  return Math.round(((Number(text(now)) - b) / Math.abs(b)) * 10_000) / 100;
}

function sortByRank(
  rows: readonly CostsRow[],
  by: readonly string[],
  ranked: [string, unknown][],
): CostsRow[] {
  const order = new Map(ranked.map(([k], i) => [k, i]));
  return [...rows].sort(
    (a, b) =>
      (order.get(groupKey(a, by)) ?? 0) - (order.get(groupKey(b, by)) ?? 0) ||
      String(a['date'] ?? '').localeCompare(String(b['date'] ?? '')),
  );
}

/**
 * The period a window is compared with: the same days of the previous month when the window starts on a month's
 * first midnight and ends within that month (a month to date against the same days of the month before), else
 * the same length immediately before.
 */
export function previousPeriod(from: Date, to: Date): { from: Date; to: Date } {
  const len = to.getTime() - from.getTime();
  if (!(len > 0))
    throw new TallyError('invalid_input', '--compare needs --from before --to', { field: 'from' });
  const monthStart = from.getUTCDate() === 1 && from.getTime() % 86_400_000 === 0;
  const next = Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1);
  if (monthStart && to.getTime() <= next) {
    const prev = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - 1, 1));
    const end = Math.min(prev.getTime() + len, from.getTime());
    return { from: prev, to: new Date(to.getTime() === next ? from.getTime() : end) };
  }
  return { from: new Date(from.getTime() - len), to: from };
}

/**
 * Each current row with the same group's amounts in the previous period (`previous`: the three amounts, and the
 * converted ones when converted; "0" when the group had none) and `changePct` of effective cost (null from
 * zero). Groups only in the previous period come after, with current amounts "0", so nothing vanishes. Rows are
 * matched by group and currency; buckets (dates) cannot be matched across periods and are refused by the caller.
 */
export function compareCostRows(
  current: readonly CostsRow[],
  previous: readonly CostsRow[],
  by: readonly string[],
): CostsRow[] {
  const key = (r: CostsRow) => JSON.stringify([...by.map((c) => r[c] ?? null), r['currency'] ?? null]);
  const prev = new Map(previous.map((r) => [key(r), r]));
  const amounts = (r: CostsRow | undefined) =>
    Object.fromEntries(
      [...AMOUNTS, ...CONVERTED]
        .filter((f) => (r ? r[f] !== undefined : AMOUNTS.includes(f as (typeof AMOUNTS)[number])))
        .map((f) => [f, r ? text(r[f]) : '0']),
    );
  const seen = new Set<string>();
  const out: CostsRow[] = current.map((r) => {
    const k = key(r);
    seen.add(k);
    const p = prev.get(k);
    const before = amounts(p);
    return { ...r, previous: before, changePct: changePct(r['effectiveCost'], before['effectiveCost']) };
  });
  for (const p of previous) {
    if (seen.has(key(p))) continue;
    const zero: CostsRow = { ...p, rows: 0, previous: amounts(p), changePct: null };
    for (const f of [...AMOUNTS, ...CONVERTED]) if (p[f] !== undefined) zero[f] = '0';
    out.push(zero);
  }
  return out;
}
