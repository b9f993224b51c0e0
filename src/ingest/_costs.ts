/** The costs report: billed, effective and list cost over a window, grouped by any FOCUS or x_ column. */
import { exactDecimalText, nanosToDecimalString, parseUsd, type AppliedRate } from '../core/index.js';
import type { CostReportRow, CostStore } from '../store/index.js';
import { convertGroups, convertedTotal, type CostsConversion } from './_costs-convert.js';

export type { CostsConversion } from './_costs-convert.js';

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

/**
 * Runs the costs report (the store's `costReport`), always grouped by billing currency as well, so amounts in
 * different currencies are never added. Sums are exact decimals and stay exact text in the output.
 */
export async function queryCosts(store: CostStore, q: CostsQuery): Promise<CostsRow[]> {
  return (await queryCostsIn(store, q, null)).rows;
}

/**
 * The costs report with, when `conv` is given, each row's amounts also in the reporting currency (converted day
 * by day; null with `missingRate` when a rate is missing) and the converted total (null when a rate is missing).
 */
export async function queryCostsIn(
  store: CostStore,
  q: CostsQuery,
  conv: CostsConversion | null,
): Promise<{
  rows: CostsRow[];
  total: Record<string, string> | null;
  rates: AppliedRate[];
  missing: string[];
}> {
  const byCurrency = q.by.some((b) => b.toLowerCase() === 'billingcurrency');
  const by = byCurrency ? q.by : [...q.by, 'BillingCurrency'];
  const full = { ...q, from: q.from ?? new Date(0), to: q.to ?? new Date('9999-01-01T00:00:00Z') };
  const rows = await store.costReport({ ...full, by });
  const converted = conv ? await convertGroups(store, full, by, conv) : null;
  const out = rows.map((r) => {
    const key = JSON.stringify(r.dims.map(([, v]) => v));
    let g = converted?.groups.get(key);
    // Already in the reporting currency: the group's own sum, rounded once, not the sum of its rounded days.
    const currency = r.dims.find(([k]) => k.toLowerCase() === 'billingcurrency')?.[1];
    if (converted && conv && String(currency ?? 'USD').toUpperCase() === conv.currency) {
      g = {
        billed: parseUsd(r.billed),
        effective: parseUsd(r.effective),
        list: parseUsd(r.list),
        missing: null,
      };
      converted.groups.set(key, g);
    }
    return { ...plainRow(r, byCurrency), ...(conv ? convertedFields(conv.currency, g) : {}) };
  });
  const groups = converted ? [...converted.groups.values()] : [];
  const missing = [...new Set(groups.flatMap((g) => (g.missing ? [g.missing] : [])))];
  return {
    rows: out,
    total: conv && missing.length === 0 ? convertedTotal(groups, conv.currency) : null,
    rates: converted?.rates ?? [],
    missing,
  };
}

function convertedFields(
  currency: string,
  g: { billed: bigint; effective: bigint; list: bigint; missing: string | null } | undefined,
): Record<string, unknown> {
  if (!g || g.missing)
    return {
      reportingCurrency: currency,
      convertedBilledCost: null,
      convertedEffectiveCost: null,
      convertedListCost: null,
      missingRate: g?.missing ?? 'no daily amounts',
    };
  return {
    reportingCurrency: currency,
    convertedBilledCost: nanosToDecimalString(g.billed),
    convertedEffectiveCost: nanosToDecimalString(g.effective),
    convertedListCost: nanosToDecimalString(g.list),
  };
}

function plainRow(r: CostReportRow, byCurrency: boolean): CostsRow {
  const dims = Object.fromEntries(r.dims) as Record<string, unknown>;
  const currency = (dims['BillingCurrency'] ?? null) as string | null;
  if (!byCurrency) delete dims['BillingCurrency'];
  return {
    ...dims,
    currency,
    billedCost: exactDecimalText(String(r.billed)),
    effectiveCost: exactDecimalText(String(r.effective)),
    listCost: exactDecimalText(String(r.list)),
    rows: r.rows,
  };
}

/**
 * The exact sum of one amount over rows of `tally costs --json`, in one currency: the converted amounts when the
 * rows carry them (any currency mix), else the plain ones when every row is in one currency; null (with the
 * reason) when that would add two currencies or a rate is missing. Never adds different currencies.
 */
export function sumCostRows(
  rows: readonly Record<string, unknown>[],
  key: 'billedCost' | 'effectiveCost' | 'listCost',
): { currency: string | null; total: string | null; reason: string | null } {
  const converted = `converted${key[0]!.toUpperCase()}${key.slice(1)}`;
  const missing = rows.map((r) => r['missingRate']).filter((m): m is string => typeof m === 'string');
  if (missing.length > 0)
    return { currency: null, total: null, reason: `no exchange rate ${[...new Set(missing)].join(', ')}` };
  const inReporting = rows.length > 0 && rows.every((r) => typeof r['reportingCurrency'] === 'string');
  const field = inReporting ? converted : key;
  const currencies = new Set(
    rows.map((r) => String(inReporting ? r['reportingCurrency'] : (r['currency'] ?? 'USD'))),
  );
  if (currencies.size > 1)
    return { currency: null, total: null, reason: `amounts in ${[...currencies].sort().join(' and ')}` };
  let n = 0n;
  for (const r of rows) n += parseUsd(String(r[field] ?? '0'));
  return { currency: [...currencies][0] ?? null, total: nanosToDecimalString(n), reason: null };
}
