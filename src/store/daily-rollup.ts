/**
 * The daily usage rollup of a batch of events, summed in JavaScript: what `usage_daily` (PostgreSQL migration
 * 901, DuckDB migration 30) gains when every event of the batch is new. One row per UTC day and chargeback's
 * eight dimensions, with the sums the rollup keeps. Exact: counts and tokens as integers, money as bigint nanos.
 * A backend adds these rows in the same transaction as the events, instead of aggregating them again in SQL.
 */
import type { UsageEvent } from './usage-event.js';

/** Rollup dimensions: chargeback's grouping (analytics/allocate), per UTC day. Column names. */
export const ROLLUP_DIMS = [
  'team',
  'cost_center',
  'app',
  'environment',
  'upstream',
  'deployment',
  'model',
  'deployment_type',
] as const;

/** The rollup's sums, column names, in table order. */
export const ROLLUP_METRICS = [
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nanos',
  'list_cost_nanos',
  'saved_cost_nanos',
  'errors',
  'cache_hits',
  'duration_ms',
] as const;

/** One rollup row: the day as YYYY-MM-DD, the dimensions (null stays null), the sums. */
export interface DailyRollupRow {
  day: string;
  dims: (string | null)[];
  /** In ROLLUP_METRICS order. */
  sums: bigint[];
}

const DAY_MICROS = 86_400_000_000;
const k = (v: string | null) => (v === null ? '|' : `${v.length}:${v}`);

/**
 * The batch's rollup rows, sorted by day and dimensions (so concurrent writers lock shared rows in the same
 * order). Times round to microseconds first, as the stores keep them.
 */
export function dailyRollup(events: readonly UsageEvent[]): DailyRollupRow[] {
  const groups = new Map<string, { day: number; dims: (string | null)[]; n: number[]; money: bigint[] }>();
  for (const e of events) {
    const day = Math.floor(Math.round(e.startTime * 1000) / DAY_MICROS);
    // Each text is prefixed by its length and a null is '|': no two groups share a key, whatever the text.
    const key = `${day}${k(e.team)}${k(e.costCenter)}${k(e.app)}${k(e.environment)}${k(e.upstream)}${k(
      e.deployment,
    )}${k(e.model)}${k(e.deploymentType)}`;
    let g = groups.get(key);
    if (!g) {
      const dims = [
        e.team,
        e.costCenter,
        e.app,
        e.environment,
        e.upstream,
        e.deployment,
        e.model,
        e.deploymentType,
      ];
      g = { day, dims, n: [0, 0, 0, 0, 0, 0, 0, 0], money: [0n, 0n, 0n] };
      groups.set(key, g);
    }
    const n = g.n;
    n[0]! += 1;
    n[1]! += Math.round(e.inputTokens);
    n[2]! += Math.round(e.cachedInputTokens);
    n[3]! += Math.round(e.outputTokens);
    n[4]! += Math.round(e.reasoningTokens);
    if (e.httpStatus >= 400) n[5]! += 1;
    if (e.cacheOutcome === 'hit-exact' || e.cacheOutcome === 'hit-semantic') n[6]! += 1;
    n[7]! += Math.round(e.durationMs);
    g.money[0]! += e.costNanos;
    g.money[1]! += e.listCostNanos;
    g.money[2]! += e.savedCostNanos;
  }
  const rows = [...groups.values()].map((g) => ({
    day: new Date(g.day * 86_400_000).toISOString().slice(0, 10),
    dims: g.dims,
    sums: [
      BigInt(g.n[0]!),
      BigInt(g.n[1]!),
      BigInt(g.n[2]!),
      BigInt(g.n[3]!),
      BigInt(g.n[4]!),
      g.money[0]!,
      g.money[1]!,
      g.money[2]!,
      BigInt(g.n[5]!),
      BigInt(g.n[6]!),
      BigInt(g.n[7]!),
    ],
  }));
  const cmp = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
  return rows.sort((a, b) => {
    if (a.day !== b.day) return a.day < b.day ? -1 : 1;
    for (let i = 0; i < a.dims.length; i++) {
      const c = cmp(a.dims[i]!, b.dims[i]!);
      if (c) return c;
    }
    return 0;
  });
}
