/**
 * `npm run bench:governance`: per-request cost of the governance stages, measured in-process (no servers):
 * limit admission (memory and, when redis-server is installed, Redis), prompt-token bounds vs the tokenizer,
 * exact-cache keys and lookups, semantic-cache scans, and the budget-race scenario (1,000 concurrent $0.10
 * reservations against $1). Env: BENCH_N (default 100000) scales the loop counts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countChatTokens } from '../src/catalog/index.js';
import {
  admitRequest,
  MemoryLimitStore,
  promptTokenBound,
  RedisLimitStore,
  type LimitStore,
} from '../src/gateway/limits/index.js';
import {
  exactCacheKey,
  MemoryResponseCache,
  MemorySemanticCache,
  unitVector,
} from '../src/gateway/cache/index.js';

const N = Number(process.env['BENCH_N'] ?? 100_000);
const rows: [string, string][] = [];

function time(label: string, n: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(1000, n); i++) fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const us = Number(process.hrtime.bigint() - t) / n / 1000;
  rows.push([label, `${us.toFixed(us < 10 ? 2 : 0)} µs/op`]);
}

async function timeAsync(
  label: string,
  n: number,
  inFlight: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  const t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  rows.push([
    label,
    `${Math.round(n / s).toLocaleString('en-US')} req/s (${((s / n) * 1e6).toFixed(1)} µs/req)`,
  ]);
}

const subject = {
  keyId: 'k1',
  team: 'ml',
  app: 'bot',
  keyConfig: {
    tpm: 1_000_000_000,
    quota: { tokens: 1e15, period: 'day' },
    budget: { usd: 1e6, period: 'day' },
  },
};
const worst = { tokens: 500n, costNanos: 300_000n };

async function admission(store: LimitStore, label: string, n: number, inFlight: number): Promise<void> {
  await timeAsync(label, n, inFlight, async (i) => {
    const r = await admitRequest(store, undefined, `r${label}${i}`, subject, worst, Date.now());
    if (!r.ok || !r.reservation) throw new Error(r.ok ? 'no reservation' : r.error.message);
    await store.settle(r.reservation, { tokens: 300n, costNanos: 200_000n }, Date.now());
  });
}

async function budgetRace(store: LimitStore, label: string): Promise<void> {
  const check = {
    id: `race:${label}`,
    kind: 'budget' as const,
    rule: 'bench',
    limit: 1_000_000_000n,
    amount: 100_000_000n,
    hard: true,
    resetAt: Date.now() + 86_400_000,
  };
  const rs = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => store.reserve(`race${label}${i}`, [check], Date.now())),
  );
  rows.push([
    `budget race (${label}): 1,000 concurrent $0.10 reservations on $1`,
    `${rs.filter((r) => r.ok).length} admitted`,
  ]);
}

// ---- limits ----
const mem = new MemoryLimitStore();
await admission(mem, 'memory: admit + settle, 3 counters (TPM, quota, budget)', N, 64);
await budgetRace(mem, 'memory');

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-redis-'));
  const sock = join(dir, 'redis.sock');
  const server = spawn(
    'redis-server',
    ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((ok) => setTimeout(ok, 50));
  const redis = await RedisLimitStore.connect(`unix://${sock}`, 'bench:');
  await admission(
    redis,
    'redis (unix socket, 1 connection, 64 in flight): admit + settle, 3 counters',
    Math.min(N, 20_000),
    64,
  );
  await budgetRace(redis, 'redis');
  await redis.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
} else rows.push(['redis', 'skipped: redis-server not installed']);

// ---- prompt tokens ----
const prose = 'The quick brown fox jumps over the lazy dog while FinOps teams watch token spend. ';
const chat = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: prose.repeat(12) },
  ],
};
time(
  `prompt bound (UTF-8 bytes), ${chat.messages[1]!.content.length}-char chat`,
  N,
  () => void promptTokenBound(chat),
);
time(
  `exact countChatTokens, same chat`,
  Math.max(200, N / 200),
  () => void countChatTokens('gpt-4o-mini', chat.messages),
);
rows.push([
  'bound / exact tokens for that chat',
  `${promptTokenBound(chat)} / ${countChatTokens('gpt-4o-mini', chat.messages)}`,
]);

// ---- caches ----
const owner = { keyId: 'k1', team: 'ml', app: 'bot' };
time(
  'exact cache key (sha256 of canonical JSON), same chat',
  N,
  () => void exactCacheKey(owner, 'chat', 'gpt-4o-mini', chat),
);
const cache = new MemoryResponseCache({ maxEntries: 10_000, maxBytes: 64 << 20 });
const usage = {
  inputTokens: 20,
  cachedInputTokens: 0,
  outputTokens: 10,
  reasoningTokens: 0,
  source: 'reported' as const,
};
for (let i = 0; i < 10_000; i++)
  await cache.set(`k${i}`, { body: Buffer.alloc(1024), usage, costNanos: 1n }, 60_000, Date.now());
let hits = 0;
await timeAsync('memory exact cache get (10k entries of 1 KB)', N, 1, async (i) => {
  if (await cache.get(`k${i % 10_000}`, Date.now())) hits++;
});
const sem = new MemorySemanticCache({ threshold: 0.95, maxEntries: 100_000 });
const vec = () => unitVector(Array.from({ length: 1536 }, () => Math.random() - 0.5))!;
for (let i = 0; i < 1000; i++)
  sem.store('p', vec(), { body: Buffer.alloc(16), usage, costNanos: 1n }, 60_000, Date.now());
const probe = vec();
time(
  'semantic lookup: 1,000 entries × 1,536 dims in one partition',
  Math.max(200, N / 100),
  () => void sem.lookup('p', probe, Date.now()),
);

console.log(`\n| What | Figure |\n|---|---|`);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
if (hits !== N) console.error(`warning: ${hits}/${N} cache hits`);
