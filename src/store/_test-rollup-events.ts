/**
 * Test events for the daily usage rollup (both backends' tests): each dimension cycles at its own pace, so a
 * batch spans many combinations, with nulls, non-ASCII text, times just before midnight whose sub-millisecond
 * parts round across it, and money past 2^53 nanos.
 */
import { makeUsageEvent, type UsageEvent } from './usage-event.js';

const DAY = 86_400_000;
const pick = <T>(xs: readonly T[], i: number, pace = 1) => xs[Math.floor(i / pace) % xs.length]!;

/** `n` events with ids `${prefix}0…`, over the three days from t0. */
export const rollupEvents = (t0: number, prefix: string, n: number): UsageEvent[] =>
  Array.from({ length: n }, (_, i) =>
    makeUsageEvent({
      id: `${prefix}${i}`,
      startTime: t0 + (i % 3) * DAY - 0.0004 - (i % 2) * 0.0002,
      model: pick(['a', 'b', 'c'], i),
      team: pick(['t1', null, 'té'], i, 2),
      costCenter: pick([null, 'cc'], i, 3),
      app: pick(['x', 'y', null, 'z'], i, 5),
      environment: pick(['prod', null], i, 7),
      upstream: pick([null, 'u'], i, 11),
      deployment: pick(['d', null, 'e'], i, 13),
      deploymentType: pick(['global-standard', 'provisioned'], i, 17),
      inputTokens: i * 3,
      cachedInputTokens: i % 5,
      outputTokens: 7,
      reasoningTokens: i % 2,
      durationMs: i + 0.4,
      httpStatus: pick([200, 429, 500, 200], i),
      cacheOutcome: pick(['none', 'hit-exact', 'hit-semantic', 'miss'], i),
      costNanos: BigInt(i) * 1_000_003n,
      listCostNanos: 9_007_199_254_740_993n,
      savedCostNanos: BigInt(i % 3),
    }),
  );
