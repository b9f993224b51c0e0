/**
 * Which closed months a command run by `tally serve` may change (ADR 0040). The closed-months memo (ADR 0033)
 * used to be cleared by every write, so the first forecast or unit economics after acknowledging an incident,
 * setting a budget or loading today's export recomputed every month. A command now declares what it touches:
 * reports and writes of no cost or usage row (incidents, alerts, budgets, keys, users, files) keep every month;
 * an ingest forgets only the months whose cost rows it changed (stamps compared before and after it); anything
 * else (the demo loader, price imports, store copies, a command not listed) forgets every month.
 */
import type { CostStore } from '../store/index.js';
import type { MonthStamps, PeriodMemo } from '../analytics/index.js';
import { readsOnly } from '../api/index.js';

/** What a command may change in the months the memo keeps. */
export type MonthsTouched = 'none' | 'cost-rows' | 'any';

// Writes that change no cost row and no usage row; the read-only commands are the API's own list (`readsOnly`,
// which also keeps the report cache). `prices import` is neither.
const NO_COST_OR_USAGE_ROW = new Set(['anomalies', 'alerts', 'budgets', 'keys', 'users', 'export']);

/** What a forwarded or scheduled command line may touch (its first word decides; unknown means anything). */
export function monthsTouched(argv: readonly string[]): MonthsTouched {
  const [command] = argv.filter((a) => !a.startsWith('-'));
  if (command === 'ingest') return 'cost-rows';
  if (readsOnly(argv)) return 'none';
  return command !== undefined && NO_COST_OR_USAGE_ROW.has(command) ? 'none' : 'any';
}

/** The store's cost-row stamps per month, as the memo compares them. */
export function costStamps(store: Pick<CostStore, 'costMonthStamps'>): MonthStamps {
  return async () =>
    new Map((await store.costMonthStamps()).map((s) => [s.month, `${s.rows}/${s.lastIngestId}`]));
}

/** Runs a command so that the memo keeps exactly the months it cannot have changed. */
export function runKeepingMonths<T>(
  memo: PeriodMemo | undefined,
  store: Pick<CostStore, 'costMonthStamps'>,
  argv: readonly string[],
  run: () => Promise<T>,
): Promise<T> {
  if (!memo) return run();
  const touched = monthsTouched(argv);
  if (touched === 'none') return run();
  return memo.write(run, touched === 'cost-rows' ? costStamps(store) : undefined);
}
