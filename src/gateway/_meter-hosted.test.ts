import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import type { GatewayMetrics } from './_metrics.js';
import { Meter } from './_meter.js';
import type { RouteTarget, Usage } from './_context.js';

const usage: Usage = {
  inputTokens: 1000,
  cachedInputTokens: 0,
  outputTokens: 500,
  reasoningTokens: 0,
  source: 'reported',
};
const target: RouteTarget = {
  upstream: 'gpu-box',
  kind: 'openai',
  deployment: 'gpt-4o-mini',
  model: 'gpt-4o-mini',
  deploymentType: 'global-standard',
  region: null,
};

test('a self-hosted target with a declared hourly cost is never priced per token, even under a catalog model name', () => {
  const meter = new Meter(
    configSchema.parse({}),
    null as unknown as Ledger,
    null as unknown as GatewayMetrics,
    () => {},
  );
  // The same model name served by a priced API has a catalog price ...
  assert.ok(meter.price(target, usage, new Date('2026-11-01T00:00:00Z'))!.costNanos > 0n);
  // ... but hosted, its tokens cost their share of the hours at report time (ADR 0026), so $0 here.
  assert.equal(meter.price({ ...target, hosted: true }, usage, new Date('2026-11-01T00:00:00Z')), null);
});
