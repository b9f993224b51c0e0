/** Runs the LimitStore contract against every implementation: memory, and Redis when redis-server is installed. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitStoreContract } from './_contract.js';
import { MemoryLimitStore } from './memory.js';
import { RedisLimitStore } from './redis.js';
import { Redis } from 'ioredis';

limitStoreContract('memory', async () => new MemoryLimitStore());

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

if (!hasRedis) {
  test('Redis LimitStore contract (skipped: redis-server is not installed)', { skip: true }, () => {});
} else {
  const dir = mkdtempSync(join(tmpdir(), 'tally-redis-'));
  const sock = join(dir, 'redis.sock');
  let server: ChildProcess | null = null;
  let n = 0;
  before(async () => {
    server = spawn(
      'redis-server',
      ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((ok) => setTimeout(ok, 50));
  });
  after(() => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  // Each store gets its own key prefix so tests do not see each other's counters.
  limitStoreContract('redis', () => RedisLimitStore.connect(`unix://${sock}`, `t${++n}:`));

  describe('Redis LimitStore across replicas', () => {
    test('a dropped Redis connection is re-established on the next request', async () => {
      const store = await RedisLimitStore.connect(`unix://${sock}`, 'drop:');
      const admin = new Redis({ path: sock });
      try {
        const check = {
          id: 'rate:key:k',
          kind: 'rate' as const,
          rule: 'key.tpm',
          limit: 100n,
          amount: 10n,
          hard: true,
          resetAt: Date.now() + 60_000,
        };
        assert.ok((await store.reserve('d1', [check], Date.now())).ok);
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        const again = await store.reserve('d2', [check], Date.now());
        assert.ok(again.ok);
        assert.equal(again.remaining.get('rate:key:k'), 80n);
      } finally {
        admin.disconnect();
        await store.close();
      }
    });

    test('two replicas sharing one Redis admit no more than one budget between them', async () => {
      const a = await RedisLimitStore.connect(`unix://${sock}`, 'shared:');
      const b = await RedisLimitStore.connect(`unix://${sock}`, 'shared:');
      try {
        const check = {
          id: 'budget:team:x:day:2026-11-28',
          kind: 'budget' as const,
          rule: 'team.budget',
          limit: 1_000_000_000n,
          amount: 100_000_000n,
          hard: true,
          resetAt: Date.now() + 86_400_000,
        };
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).reserve(`x${i}`, [check], Date.now())),
        );
        assert.equal(results.filter((r) => r.ok).length, 10);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
