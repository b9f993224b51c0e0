/** Hourly ledger usage of each hosted deployment, through the store's usage aggregate. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore, TagDimension, UsageDimension } from '../../store/index.js';
import { priceHosted, type HostedCost, type HostedUsageRow, type TokenWeights } from './hosting.js';
import type { HostedDeployment } from './_spec.js';

/** One deployment's usage per hour and per `by` grouping in the window. */
export async function loadHostedUsage(
  store: CostStore,
  d: HostedDeployment,
  w: TimeWindow,
  by: readonly (UsageDimension | TagDimension)[],
): Promise<HostedUsageRow[]> {
  const dims = by.filter((x) => x !== 'hour');
  const aggs = await store.aggregateUsage({
    from: w.from,
    to: w.to,
    by: [...dims, 'hour'],
    where: { upstream: d.upstream, deployment: d.deployment },
  });
  return aggs.map((a) => ({
    hourMs: Date.parse(a.dims['hour'] ?? ''),
    dims: Object.fromEntries(by.map((x) => [x, a.dims[x] ?? null])),
    requests: a.requests,
    inputTokens: BigInt(a.inputTokens),
    cachedInputTokens: BigInt(a.cachedInputTokens),
    outputTokens: BigInt(a.outputTokens),
  }));
}

/** Every hosted deployment priced over the window, grouped by `by` (empty when none is declared). */
export async function loadHostedCosts(
  store: CostStore,
  deployments: readonly HostedDeployment[],
  w: TimeWindow,
  by: readonly (UsageDimension | TagDimension)[],
  weights: TokenWeights,
  nowMs: number = Date.now(),
): Promise<HostedCost[]> {
  const out: HostedCost[] = [];
  for (const d of deployments) {
    const first = d.sinceMs === null ? await firstRequestMs(store, d, w.to) : null;
    out.push(priceHosted(d, await loadHostedUsage(store, d, w, by), w, weights, nowMs, first));
  }
  return out;
}

/** The hour of a deployment's first request before `to` (its first day, then that day's first hour), or null. */
async function firstRequestMs(store: CostStore, d: HostedDeployment, to: Date): Promise<number | null> {
  const where = { upstream: d.upstream, deployment: d.deployment };
  const days = await store.aggregateUsage({ from: new Date(0), to, by: ['day'], where });
  const first = days.map((a) => Date.parse(a.dims['day'] ?? '')).filter(Number.isFinite);
  if (first.length === 0) return null;
  const day = Math.min(...first);
  const hours = await store.aggregateUsage({
    from: new Date(day),
    to: new Date(Math.min(day + 86_400_000, to.getTime())),
    by: ['hour'],
    where,
  });
  const hs = hours.map((a) => Date.parse(a.dims['hour'] ?? '')).filter(Number.isFinite);
  return hs.length ? Math.min(...hs) : day;
}
