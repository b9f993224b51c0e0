/** The costs report: billed, effective and list cost over a window, grouped by any FOCUS or x_ column. */
import { nanosToUsd, parseUsd } from '../core/index.js';
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

/** One grouped row: the grouping values plus costs in USD (numbers, for output) and the row count. */
export type CostsRow = Record<string, unknown> & {
  billedCost: number;
  effectiveCost: number;
  listCost: number;
};

/** Runs the costs report (the store's `costReport`). Sums are exact decimals; numbers only for output. */
export async function queryCosts(store: CostStore, q: CostsQuery): Promise<CostsRow[]> {
  const rows = await store.costReport({
    ...q,
    from: q.from ?? new Date(0),
    to: q.to ?? new Date('9999-01-01T00:00:00Z'),
  });
  return rows.map((r) => ({
    ...Object.fromEntries(r.dims),
    billedCost: nanosToUsd(parseUsd(r.billed)),
    effectiveCost: nanosToUsd(parseUsd(r.effective)),
    listCost: nanosToUsd(parseUsd(r.list)),
    rows: r.rows,
  }));
}
