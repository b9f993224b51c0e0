import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, parseUsd, sumNanos, TallyError } from '../../core/index.js';
import {
  billedSpan,
  hostedDeployments,
  priceHosted,
  type HostedDeployment,
  type HostedUsageRow,
} from './index.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const W = { from: new Date(T0), to: new Date(T0 + 24 * H) };
const WEIGHTS = { outputTokenWeight: 4, cachedTokenWeight: 0 };
const NOW = Date.parse('2026-12-02T00:00:00Z');

const dep = (over: Partial<HostedDeployment> = {}): HostedDeployment => ({
  upstream: 'gpu-box',
  deployment: 'llama',
  model: 'llama-3.1-70b',
  region: null,
  hourlyCostUsd: '12.34',
  hourlyCostNanos: parseUsd('12.34'),
  sinceMs: T0,
  untilMs: null,
  watts: 4 * (700 + 125),
  powerSource: 'gpu-type',
  gpus: { count: 4, type: 'H100' },
  pue: 1.2,
  ...over,
});

const row = (hour: number, team: string, input: number, output: number, cached = 0): HostedUsageRow => ({
  hourMs: T0 + hour * H,
  dims: { team },
  requests: 1,
  inputTokens: BigInt(input),
  cachedInputTokens: BigInt(cached),
  outputTokens: BigInt(output),
});

test("each running hour's cost is split over that hour's weighted tokens and adds up to the hourly cost exactly", () => {
  // Hour 0: a 1,000 in + 250 out (weight 2,000), b 3,000 in + 0 out (weight 3,000). Hour 5: b alone.
  const rows = [row(0, 'a', 1000, 250), row(0, 'b', 3000, 0), row(5, 'b', 10, 10)];
  const c = priceHosted(dep(), rows, W, WEIGHTS, NOW, null);
  assert.equal(c.hours, 24);
  assert.equal(c.activeHours, 2);
  assert.equal(c.idleHours, 22);
  const hourly = parseUsd('12.34');
  assert.equal(c.costNanos, 24n * hourly);
  assert.equal(c.usedNanos, 2n * hourly);
  assert.equal(c.idleNanos, 22n * hourly);
  const a = c.groups.find((g) => g.dims['team'] === 'a')!;
  const b = c.groups.find((g) => g.dims['team'] === 'b')!;
  // a's share of hour 0 is 2,000 / 5,000 of $12.34 = $4.936; b has the rest of hour 0 and all of hour 5.
  assert.equal(a.nanos, (hourly * 2000n) / 5000n);
  assert.equal(a.nanos + b.nanos, c.usedNanos);
  assert.equal(sumNanos(c.groups.map((g) => g.nanos)) + c.idleNanos, c.costNanos);
});

test('the effective price per 1M tokens is the used hours over the weighted tokens, reproducible in bigint', () => {
  const rows = [row(0, 'a', 1_000_000, 100_000, 200_000), row(1, 'a', 500_000, 50_000)];
  const c = priceHosted(dep(), rows, W, WEIGHTS, NOW, null);
  // Weighted: (800k + 0 × 200k + 4 × 100k) + (500k + 4 × 50k) = 1.2M + 0.7M = 1.9M input-equivalent tokens.
  assert.equal(c.weightMilli, 1_900_000_000n);
  const used = 2n * parseUsd('12.34');
  const per1M = (used * 1_000_000n * 2n + 1_900_000n) / (2n * 1_900_000n);
  assert.equal(c.per1MInputNanos, per1M);
  assert.equal(c.per1MOutputNanos, (used * 4_000_000n * 2n + 1_900_000n) / (2n * 1_900_000n));
  assert.equal(
    c.allInPer1MInputNanos,
    (24n * parseUsd('12.34') * 2_000_000n + 1_900_000n) / (2n * 1_900_000n),
  );
});

test('an hour whose requests carried no tokens is idle, and its energy is hours × watts × PUE', () => {
  const c = priceHosted(dep(), [row(3, 'a', 0, 0), row(4, 'a', 100, 0)], W, WEIGHTS, NOW, null);
  assert.equal(c.activeHours, 1);
  assert.equal(c.idleHours, 23);
  assert.ok(c.idleHourStarts.includes(T0 + 3 * H));
  // 4 × (700 W + 125 W host share) × PUE 1.2 = 3,960 Wh per hour.
  assert.equal(c.whPerHour, 3960);
  assert.equal(c.idleEnergyWh, 23 * 3960);
  assert.equal(c.groups[0]!.energyWh, 3960);
});

test('billed hours run from since (or the first request) to until, the window end or the current hour', () => {
  assert.deepEqual(billedSpan(dep({ sinceMs: T0 + 5.5 * H }), W, NOW, null), {
    fromMs: T0 + 6 * H,
    toMs: T0 + 24 * H,
  });
  assert.deepEqual(billedSpan(dep({ untilMs: T0 + 10 * H }), W, NOW, null).toMs, T0 + 10 * H);
  // Half past two on the window's day: billed through the end of the current hour.
  assert.equal(billedSpan(dep(), W, T0 + 2.5 * H, null).toMs, T0 + 3 * H);
  // No since: from the hour of the first request ever; never used: nothing.
  assert.equal(billedSpan(dep({ sinceMs: null }), W, NOW, T0 + 7.2 * H).fromMs, T0 + 7 * H);
  const never = billedSpan(dep({ sinceMs: null }), W, NOW, null);
  assert.equal(never.toMs - never.fromMs, 0);
  // A window before the deployment started costs nothing.
  const before = billedSpan(dep({ sinceMs: T0 + 48 * H }), W, NOW, null);
  assert.equal(before.toMs - before.fromMs, 0);
});

const upstream = (hosting: Record<string, unknown>, kind = 'openai-compatible') => ({
  gateway: {
    upstreams: [
      {
        name: 'gpu-box',
        kind,
        baseUrl: 'http://10.0.0.5:8000/v1',
        deployments: [{ name: 'llama', model: 'llama-3.1-70b', hosting }],
      },
    ],
  },
});

test('tally.yaml declares a hosted deployment with an exact hourly cost and its GPUs', () => {
  const cfg = configSchema.parse(
    upstream({ hourlyCostUsd: '9.80', since: '2026-11-01', gpus: { count: 2, type: 'NVIDIA A100-80GB' } }),
  );
  const [d] = hostedDeployments(cfg);
  assert.equal(d!.hourlyCostNanos, 9_800_000_000n);
  assert.equal(d!.sinceMs, T0);
  assert.equal(d!.watts, 2 * (400 + 125));
  assert.equal(d!.powerSource, 'gpu-type');
  const kw = hostedDeployments(configSchema.parse(upstream({ hourlyCostUsd: 3, kw: 1.6, pue: 1.1 })))[0]!;
  assert.equal(kw.watts, 1600);
  assert.equal(kw.powerSource, 'measured-kw');
});

test('hosting is refused on Azure upstreams and with both gpus and kw, saying what to do', () => {
  const azure = configSchema.safeParse(upstream({ hourlyCostUsd: '1' }, 'azure-openai'));
  assert.equal(azure.success, false);
  assert.match(JSON.stringify(azure.error?.issues), /use kind: openai-compatible/);
  const both = configSchema.safeParse(
    upstream({ hourlyCostUsd: '1', kw: 1, gpus: { count: 1, type: 'L4' } }),
  );
  assert.match(JSON.stringify(both.error?.issues), /not both/);
  const money = configSchema.safeParse(upstream({ hourlyCostUsd: '$5' }));
  assert.match(JSON.stringify(money.error?.issues), /decimal amount/);
  assert.throws(
    () =>
      hostedDeployments(
        configSchema.parse(upstream({ hourlyCostUsd: '1', gpus: { count: 1, type: 'TPU9' } })),
      ),
    (e: unknown) => e instanceof TallyError && e.code === 'invalid_config' && /give watts/.test(e.message),
  );
});
