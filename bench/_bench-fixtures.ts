/**
 * What several benchmarks share: the virtual key the gateway benchmarks create (a team, an app, a TPM limit and a
 * monthly budget, as the outside harness's README sets Tally up), the usage events the flush benchmarks write,
 * and the median and load line they print.
 */
import { loadavg } from 'node:os';
import { makeUsageEvent, type UsageEvent } from '../src/store/index.js';
export { freePort } from '../src/gateway/testing/ports.js';

/** `tally keys create` options for the benchmarks' key (after `--config`/`--db`). */
export const BENCH_KEY_OPTIONS = [
  '--team',
  'bench',
  '--app',
  'load',
  '--env',
  'prod',
  '--tpm',
  '1000000000',
  '--budget-usd',
  '100000',
  '--budget-period',
  'month',
  '--json',
] as const;

/** Usage events with fresh ids and increasing start times; `model` defaults to a mix, as a gateway sees. */
export function benchEvents(): (i: number, model?: string, team?: string) => UsageEvent {
  let next = 0;
  let at = Date.UTC(2026, 11, 1);
  return (i, model, team) =>
    makeUsageEvent({
      id: `e-${next++}`,
      startTime: (at += 1),
      model: model ?? (i % 3 ? 'gpt-4o-mini' : 'gpt-4o'),
      team: team ?? `t${i % 4}`,
      app: 'a',
      keyId: 'k',
      inputTokens: 30,
      outputTokens: 12,
      costNanos: 1234n,
    });
}

/** The middle value (the upper of the two middles for an even count); 0 for none. */
export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/** "load 0.52 0.61 0.70": the load averages a benchmark prints beside its figures. */
export const loadLine = (): string =>
  `load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
