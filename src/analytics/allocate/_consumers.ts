/** Consumers: grouping usage by who consumed, and the weights costs are split by. */
import type { AllocationSettings, Consumer, ConsumerDimension, ConsumerUsage } from './_types.js';

/** Stable identity of a consumer tuple. */
export function consumerKey(c: Consumer): string {
  return JSON.stringify([c.team, c.costCenter, c.app, c.environment]);
}

/** The value of one dimension of a consumer. */
export function dimensionValue(c: Consumer, dim: ConsumerDimension): string | null {
  switch (dim) {
    case 'team':
      return c.team;
    case 'cost-center':
      return c.costCenter;
    case 'app':
      return c.app;
    case 'environment':
      return c.environment;
  }
}

/** A consumer that only has one dimension set (for fixed shares naming someone with no usage). */
export function consumerWith(dim: ConsumerDimension, value: string): Consumer {
  return {
    team: dim === 'team' ? value : null,
    costCenter: dim === 'cost-center' ? value : null,
    app: dim === 'app' ? value : null,
    environment: dim === 'environment' ? value : null,
  };
}

/** Which token count a cost row's x_AiTokenType meters. */
export type TokenWeighting = 'input' | 'cached-input' | 'output' | 'input-equivalent' | 'cost';

/**
 * Weight of one usage row, as an integer. Input-equivalent tokens (PTU capacity units) are
 * (input - cached) + cached x cachedTokenWeight + output x outputTokenWeight, scaled by 1000 to stay integer.
 */
export function usageWeight(u: ConsumerUsage, w: TokenWeighting, s: AllocationSettings): bigint {
  const uncached = u.inputTokens > u.cachedInputTokens ? u.inputTokens - u.cachedInputTokens : 0n;
  switch (w) {
    case 'input':
      return uncached;
    case 'cached-input':
      return u.cachedInputTokens;
    case 'output':
      return u.outputTokens;
    case 'cost':
      return u.costNanos > 0n ? u.costNanos : 0n;
    case 'input-equivalent':
      return (
        uncached * 1000n +
        u.cachedInputTokens * BigInt(Math.round(s.cachedTokenWeight * 1000)) +
        u.outputTokens * BigInt(Math.round(s.outputTokenWeight * 1000))
      );
  }
}

/** Sums weights per consumer over the given usage rows, in first-seen order. */
export function weightsByConsumer(
  usage: readonly ConsumerUsage[],
  indexes: readonly number[],
  weigh: (u: ConsumerUsage) => bigint,
): { consumers: Consumer[]; weights: bigint[] } {
  const pos = new Map<string, number>();
  const consumers: Consumer[] = [];
  const weights: bigint[] = [];
  for (const i of indexes) {
    const u = usage[i]!;
    const k = consumerKey(u);
    let p = pos.get(k);
    if (p === undefined) {
      p = consumers.length;
      pos.set(k, p);
      consumers.push({ team: u.team, costCenter: u.costCenter, app: u.app, environment: u.environment });
      weights.push(0n);
    }
    weights[p] = weights[p]! + weigh(u);
  }
  return { consumers, weights };
}
