/** The costs report: billed, effective and list cost over a window, grouped by any FOCUS or x_ column. */
import { exactDecimalText } from '../core/index.js';
import type { CostStore } from '../store/index.js';

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
  const byCurrency = q.by.some((b) => b.toLowerCase() === 'billingcurrency');
  const rows = await store.costReport({
    ...q,
    by: byCurrency ? q.by : [...q.by, 'BillingCurrency'],
    from: q.from ?? new Date(0),
    to: q.to ?? new Date('9999-01-01T00:00:00Z'),
  });
  return rows.map((r) => {
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
  });
}
