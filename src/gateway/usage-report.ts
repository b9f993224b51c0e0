/**
 * The usage report behind `tally usage` and `GET /admin/usage`: ledger totals grouped by dimensions over a
 * window, money as USD numbers for JSON. Shared so the CLI answers the same whether it asks the running
 * gateway or opens the store itself.
 */
import {
  monthWindow,
  nanosToUsd,
  parseUtc,
  TallyError,
  type Nanos,
  type TallyConfig,
} from '../core/index.js';
import {
  allocationSettings,
  hostedDeployments,
  loadHostedCosts,
  type HostedCost,
  type HostedDeployment,
  type TokenWeights,
} from '../analytics/index.js';
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

/** Self-hosted deployments to price from their hours, with allocation's token weights (ADR 0026). */
export interface UsageHosting {
  readonly deployments: readonly HostedDeployment[];
  readonly weights: TokenWeights;
  readonly nowMs?: number;
}

/** The self-hosted deployments a config declares, with its allocation weights; undefined when there are none. */
export function usageHosting(config: TallyConfig | undefined): UsageHosting | undefined {
  const deployments = hostedDeployments(config);
  return deployments.length ? { deployments, weights: allocationSettings(config) } : undefined;
}

/**
 * Aggregates the ledger into report rows (largest cost first). Self-hosted deployments (`hosting`) add each
 * grouping's share of their hours to `costUsd` (also shown alone as `hostingCostUsd`), and their idle hours as
 * rows of their own with no requests and no consumer (`idleHours`).
 */
export async function usageReport(
  store: CostStore,
  q: { by: (UsageDimension | TagDimension)[]; from: Date; to: Date },
  hosting?: UsageHosting,
): Promise<UsageRow[]> {
  const aggs = await store.aggregateUsage({ from: q.from, to: q.to, by: q.by });
  const hosted = hosting?.deployments.length
    ? await loadHostedCosts(store, hosting.deployments, q, q.by, hosting.weights, hosting.nowMs)
    : [];
  const extra = new Map<string, Nanos>();
  for (const h of hosted)
    for (const g of h.groups) {
      const k = JSON.stringify(q.by.map((d) => g.dims[d] ?? null));
      extra.set(k, (extra.get(k) ?? 0n) + g.nanos);
    }
  const rows = aggs.map((a) => {
    const row: UsageRow = {};
    for (const d of q.by) row[d.startsWith('tag:') ? d : camel(d)] = a.dims[d] ?? null;
    const add = hosted.length ? (extra.get(JSON.stringify(q.by.map((d) => a.dims[d] ?? null))) ?? 0n) : 0n;
    row['requests'] = a.requests;
    row['inputTokens'] = a.inputTokens;
    row['cachedInputTokens'] = a.cachedInputTokens;
    row['outputTokens'] = a.outputTokens;
    row['reasoningTokens'] = a.reasoningTokens;
    row['costUsd'] = nanosToUsd(a.costNanos + add);
    row['listCostUsd'] = nanosToUsd(a.listCostNanos + add);
    row['savedCostUsd'] = nanosToUsd(a.savedCostNanos);
    row['errors'] = a.errors;
    row['cacheHits'] = a.cacheHits;
    if (hosted.length) {
      row['hostingCostUsd'] = nanosToUsd(add);
      row['idleHours'] = 0;
    }
    return { row, cost: a.costNanos + add };
  });
  for (const h of hosted) rows.push(...idleRows(h, q.by));
  rows.sort((x, y) => (y.cost > x.cost ? 1 : y.cost < x.cost ? -1 : 0));
  return rows.map((r) => r.row);
}

/** What an idle hour is known by: its deployment's own dimensions (consumers, tags and the rest stay null). */
function idleDim(h: HostedCost, d: UsageDimension | TagDimension, hourMs: number): string | null {
  const iso = new Date(hourMs).toISOString();
  const own: Partial<Record<string, string | null>> = {
    upstream: h.deployment.upstream,
    deployment: h.deployment.deployment,
    model: h.deployment.model,
    request_model: h.deployment.model,
    provider: 'openai-compatible',
    region: h.deployment.region,
    day: iso.slice(0, 10),
    hour: `${iso.slice(0, 13)}:00:00Z`,
  };
  return own[d] ?? null;
}

/** A hosted deployment's idle hours as report rows, one per distinct grouping (e.g. per day with --by day). */
function idleRows(
  h: HostedCost,
  by: readonly (UsageDimension | TagDimension)[],
): { row: UsageRow; cost: Nanos }[] {
  const acc = new Map<string, { dims: (string | null)[]; hours: number }>();
  for (const hour of h.idleHourStarts) {
    const dims = by.map((d) => idleDim(h, d, hour));
    const k = JSON.stringify(dims);
    const a = acc.get(k) ?? { dims, hours: 0 };
    a.hours++;
    acc.set(k, a);
  }
  return [...acc.values()].map((a) => {
    const cost = BigInt(a.hours) * h.deployment.hourlyCostNanos;
    const row: UsageRow = {};
    by.forEach((d, i) => (row[d.startsWith('tag:') ? d : camel(d)] = a.dims[i] ?? null));
    Object.assign(row, {
      requests: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      costUsd: nanosToUsd(cost),
      listCostUsd: nanosToUsd(cost),
      savedCostUsd: 0,
      errors: 0,
      cacheHits: 0,
      hostingCostUsd: nanosToUsd(cost),
      idleHours: a.hours,
    });
    return { row, cost };
  });
}
