/**
 * The usage report behind `tally usage` and `GET /admin/usage`: ledger totals grouped by dimensions over a
 * window, money as USD numbers for JSON. Shared so the CLI answers the same whether it asks the running
 * gateway or opens the store itself.
 */
import { monthWindow, nanosToUsd, parseUtc, TallyError } from '../core/index.js';
import {
  TAG_DIMENSION_RE,
  USAGE_DIMENSIONS,
  type CostStore,
  type TagDimension,
  type UsageDimension,
} from '../store/index.js';

/** camelCase names accepted in --by (and printed as row keys) → store dimensions. */
const ALIASES: Record<string, UsageDimension> = Object.fromEntries(
  USAGE_DIMENSIONS.flatMap((d) => {
    const camel = d.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    return [
      [d, d],
      [camel, d],
      [camel.toLowerCase(), d],
    ];
  }),
) as Record<string, UsageDimension>;
ALIASES['env'] = 'environment';
ALIASES['user'] = 'end_user';
ALIASES['key'] = 'key_id';

const camel = (d: string): string => d.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses a --by list ("team,app,model"); throws invalid_input naming the allowed values. */
export function parseUsageBy(by: string | undefined): (UsageDimension | TagDimension)[] {
  if (!by || !by.trim()) return [];
  return by.split(',').map((raw): UsageDimension | TagDimension => {
    // tag:KEY groups by one tag (a key's tags and the request's own x-tally-tags), e.g. tag:feature.
    if (TAG_DIMENSION_RE.test(raw.trim())) return raw.trim() as TagDimension;
    const d = ALIASES[raw.trim()] ?? ALIASES[raw.trim().toLowerCase()];
    if (!d)
      throw new TallyError(
        'invalid_input',
        `--by: unknown dimension "${raw.trim()}"; use ${USAGE_DIMENSIONS.map(camel).join(', ')} or tag:KEY`,
        {
          field: 'by',
        },
      );
    return d;
  });
}

/** Parses --from/--to (ISO date or datetime, UTC); defaults cover all time. */
export function parseWindow(from: string | undefined, to: string | undefined): { from: Date; to: Date } {
  // Strict (core/time): 2026-02-30 or "yesterday" is an error, not a silently shifted or empty window.
  const parse = (v: string, name: string): Date =>
    /^\d{4}-\d{1,2}$/.test(v.trim()) ? monthWindow(v, name).from : parseUtc(v, name);
  const f = from ? parse(from, 'from') : new Date(0);
  // Default end: one day ahead of now, so events stamped a moment ago are always inside.
  const t = to ? parse(to, 'to') : new Date(Date.now() + 86_400_000);
  if (t <= f) throw new TallyError('invalid_input', '--to must be after --from', { field: 'to' });
  return { from: f, to: t };
}

/** One report row: dimension values (camelCase keys) plus totals. */
export type UsageRow = Record<string, string | number | null>;

/** Aggregates the ledger into report rows (largest cost first). */
export async function usageReport(
  store: CostStore,
  q: { by: (UsageDimension | TagDimension)[]; from: Date; to: Date },
): Promise<UsageRow[]> {
  const aggs = await store.aggregateUsage({ from: q.from, to: q.to, by: q.by });
  const rows = aggs.map((a) => {
    const row: UsageRow = {};
    for (const d of q.by) row[d.startsWith('tag:') ? d : camel(d)] = a.dims[d] ?? null;
    row['requests'] = a.requests;
    row['inputTokens'] = a.inputTokens;
    row['cachedInputTokens'] = a.cachedInputTokens;
    row['outputTokens'] = a.outputTokens;
    row['reasoningTokens'] = a.reasoningTokens;
    row['costUsd'] = nanosToUsd(a.costNanos);
    row['listCostUsd'] = nanosToUsd(a.listCostNanos);
    row['savedCostUsd'] = nanosToUsd(a.savedCostNanos);
    row['errors'] = a.errors;
    row['cacheHits'] = a.cacheHits;
    return { row, cost: a.costNanos };
  });
  rows.sort((x, y) => (y.cost > x.cost ? 1 : y.cost < x.cost ? -1 : 0));
  return rows.map((r) => r.row);
}
