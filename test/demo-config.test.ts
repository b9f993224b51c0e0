import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/index.js';
import { allocationSettings } from '../src/analytics/allocate/index.js';
import { runCli } from './cli.js';

const example = resolve(import.meta.dirname, '..', 'tally.example.yaml');

test('tally.example.yaml parses with the real config loader and fills every section', () => {
  const { config, path } = loadConfig({ path: example, env: {} });
  assert.equal(path, example);
  assert.equal(config.store.backend, 'duckdb');
  assert.ok(config.pricing.discounts.length >= 2);
  const gw = config.gateway!;
  assert.ok(gw.upstreams.length >= 2 && gw.routes.length >= 2);
  // Every route target names a configured upstream and one of its deployments.
  for (const r of gw.routes)
    for (const t of r.targets) {
      const [up, dep] = t.split('/') as [string, string];
      const u = gw.upstreams.find((x) => x.name === up);
      assert.ok(u, `route ${r.model}: upstream ${up}`);
      assert.ok(
        u.deployments.some((d) => d.name === dep),
        `route ${r.model}: deployment ${t}`,
      );
    }
  assert.ok(gw.limits && Object.keys(gw.limits.teams).length > 0);
  assert.ok(gw.cache?.exact && gw.cache.semantic);
  assert.ok(
    gw.routes.some((r) => r.model === gw.cache?.semantic?.embeddingModel),
    'the semantic cache embeds with a routed model',
  );
  assert.ok(config.policy && Object.keys(config.policy.environments).length >= 2);
  assert.ok((config.allocation?.rules?.length ?? 0) >= 2);
  assert.ok((config.budgets?.length ?? 0) >= 2);
  assert.ok((config.alerts?.sinks.length ?? 0) >= 2);
  assert.ok(config.anomalies?.threshold);
});

test('the example allocation rules name real FOCUS columns', () => {
  const { config } = loadConfig({ path: example, env: {} });
  const s = allocationSettings(config);
  assert.equal(s.unallocatedLabel, 'shared-platform');
  assert.ok(s.rules.length >= 2);
});

test('tally budgets status reads the example config budgets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['budgets', 'status', '--config', example, '--db', join(dir, 't.duckdb'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { config } = loadConfig({ path: example, env: {} });
  const doc = r.json<{ budgets: { id: string; amountUsd: number }[] }>();
  assert.equal(doc.budgets.length, config.budgets!.length);
  assert.ok(doc.budgets.some((b) => b.id === 'org-monthly' && b.amountUsd === 25000));
});
