/** Two gateway replicas sharing limits through Redis: one budget, not one per replica (skipped without redis-server). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { priceUsage } from '../src/catalog/index.js';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway, type RunningGateway } from '../src/gateway/index.js';
import { MOCK_USAGE } from '../src/gateway/testing/mock-upstream.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
let redis: ChildProcess | null = null;
let f: GatewayFixture | null = null;
let sock = '';

before(async () => {
  if (!hasRedis) return;
  f = await makeFixture();
  sock = join(f.dir, 'redis.sock');
  redis = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((ok) => setTimeout(ok, 50));
});
after(async () => {
  redis?.kill('SIGTERM');
  await f?.cleanup();
});

async function spendOf(dbPath: string, keyId: string): Promise<bigint> {
  const s = await openStore({ path: dbPath, readOnly: true });
  try {
    const [r] = await duckdbSql(s).query(
      'SELECT CAST(COALESCE(SUM(cost_nanos), 0) AS VARCHAR) AS spend FROM usage_events WHERE key_id = $1',
      [keyId],
    );
    return BigInt(String(r?.['spend']));
  } finally {
    await s.close();
  }
}

test(
  'class 4: a hard budget is never exceeded across two gateway replicas sharing Redis',
  { skip: !hasRedis },
  async () => {
    const fx = f!;
    const config = loadConfig({ path: fx.configPath }).config;
    config.gateway!.limits = {
      reserveOutputTokens: 4096,
      promptTokens: 'upper-bound',
      teams: {},
      apps: {},
      redis: { url: `unix://${sock}`, prefix: 'e2e:', connectTimeoutMs: 2000, commandTimeoutMs: 1000 },
    };
    const messages = [{ role: 'user' as const, content: 'replica probe' }];
    // The `maxout` deployment bills every answer at its whole cap, so each admitted request spends ~its worst case.
    const q = { model: 'gpt-4o', deployment: 'global-standard', provider: 'azure-openai' };
    const actual = priceUsage(
      { inputTokens: MOCK_USAGE.prompt_tokens, cachedInputTokens: 0, outputTokens: 1000 },
      q,
    ).costNanos;
    const budget = (actual * 7n) / 2n;
    const dbs = [fx.dbPath, join(fx.dir, 'replica-b.duckdb')];
    // One key, known to both replicas (each has its own store; the Redis state is what they share).
    const a = await openStore({ path: dbs[0]! });
    const { record, key: secret } = await createKey(a, {
      team: 'ml',
      app: 'bot',
      environment: 'prod',
      budget: { usd: Number(budget) / 1e9, period: 'day', hard: true },
    });
    await a.close();
    const b = await openStore({ path: dbs[1]! });
    await b.insertKey(record);
    await b.close();
    const keyId = record.id;
    const gws: RunningGateway[] = [];
    for (const db of dbs) gws.push(await startGateway({ config, dbPath: db, port: 0, host: '127.0.0.1' }));
    let admitted = 0;
    try {
      const clients = gws.map((g) => new OpenAI({ apiKey: secret, baseURL: `${g.url}/v1`, maxRetries: 0 }));
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          clients[i % 2]!.chat.completions.create({ model: 'maxout', messages, max_tokens: 1000 }),
        ),
      );
      admitted = results.filter((r) => r.status === 'fulfilled').length;
    } finally {
      for (const g of gws) await g.stop();
    }
    const total = (await spendOf(dbs[0]!, keyId)) + (await spendOf(dbs[1]!, keyId));
    // 3.5 answers fit in the budget: exactly 3 are admitted between both replicas, and spend stays within it.
    assert.equal(admitted, 3);
    assert.ok(total > 0n && total <= budget, `spend ${total} across replicas exceeds the budget ${budget}`);
  },
);
