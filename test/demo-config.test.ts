import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/index.js';
import { allocationSettings } from '../src/analytics/allocate/index.js';
import { REPO_ROOT, runCli } from './cli.js';

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
  const doc = r.json<{ id: string; amountUsd: number }[]>();
  assert.equal(doc.length, config.budgets!.length);
  assert.ok(doc.some((b) => b.id === 'org-monthly' && b.amountUsd === 25000));
});

test('tally gateway starts on the example config once its upstream secrets are in the environment', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-example-gw-'));
  const db = join(dir, 't.duckdb');
  let stderr = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/main.ts'),
      'gateway',
      '--config',
      example,
      '--db',
      db,
      '--port',
      '0',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AZURE_OPENAI_API_KEY: 'k1', AZURE_CLIENT_SECRET: 'k2', OPENAI_API_KEY: 'k3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const closed = new Promise<number | null>((ok) => child.on('close', ok));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await closed;
    rmSync(dir, { recursive: true, force: true });
  });
  let healthy = false;
  for (let i = 0; i < 600 && !healthy && child.exitCode === null; i++) {
    if (existsSync(`${db}.gateway.json`)) {
      const { url } = JSON.parse(readFileSync(`${db}.gateway.json`, 'utf8')) as { url: string };
      healthy = (await fetch(`${url}/healthz`).catch(() => null))?.status === 200;
    }
    if (!healthy) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(healthy, `gateway did not become healthy: ${stderr}`);
  child.kill('SIGTERM');
  assert.equal(await closed, 0, stderr);
});
