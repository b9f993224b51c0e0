/**
 * Unit economics per request tag (`--by feature`, `--by tag:K`): the cost and requests of each value of a tag the
 * gateway stored from `x-tally-tags` (or the key's own tags), on the ledger basis, because a cost export knows
 * nothing of features. The cost per request is the same figure `tally usage --by tag:K` gives. No revenue ratio:
 * a KPI belongs to an app or team, never to a tag value, so none is divided by a tag's cost.
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';

/** One tag value's ledger totals in one period (value null: requests without the tag). */
export interface TagUsage {
  readonly value: string | null;
  readonly requests: number;
  readonly costNanos: Nanos;
}

const UNTAGGED = '(untagged)';
const per = (cost: Nanos, n: number): number | null => (n > 0 ? nanosToUsd(cost) / n : null);
const change = (now: number | null, before: number | null): number | null =>
  now === null || before === null || before === 0
    ? null
    : Math.round(((now - before) / before) * 10_000) / 100;

/** One row per tag value (untagged traffic included, so the rows add up to the total), largest cost first. */
export function tagUnitEconomics(
  cur: readonly TagUsage[],
  prev: readonly TagUsage[] | null,
  key: string,
): { rows: Record<string, unknown>[]; total: Record<string, unknown> } {
  const label = (u: TagUsage) => u.value ?? UNTAGGED;
  const before = new Map((prev ?? []).map((u) => [label(u), u]));
  const all = cur.reduce((a, u) => a + u.costNanos, 0n);
  const rows = [...cur]
    .sort((a, b) =>
      b.costNanos > a.costNanos ? 1 : b.costNanos < a.costNanos ? -1 : label(a).localeCompare(label(b)),
    )
    .map((u) => {
      const p = before.get(label(u));
      const cpr = per(u.costNanos, u.requests);
      return {
        [key]: label(u),
        costUsd: nanosToUsd(u.costNanos),
        requests: u.requests,
        costPerRequestUsd: cpr,
        shareOfCost: all > 0n ? Number((u.costNanos * 1_000_000n) / all) / 1_000_000 : null,
        aiCostShareOfRevenue: null,
        trend: prev
          ? {
              costChangePct: change(nanosToUsd(u.costNanos), p ? nanosToUsd(p.costNanos) : null),
              costPerRequestChangePct: change(cpr, p ? per(p.costNanos, p.requests) : null),
            }
          : null,
      };
    });
  const requests = cur.reduce((a, u) => a + u.requests, 0);
  return {
    rows,
    total: {
      costUsd: nanosToUsd(all),
      requests,
      costPerRequestUsd: per(all, requests),
      aiCostShareOfRevenue: null,
    },
  };
}
