import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { openDuckDBStore } from '../store/index.js';
import { Ledger, makeUsageEvent } from './index.js';
import { testEvent } from './_test-events.js';

const event = (i: number) => testEvent(i);

test('acknowledged events reach the store and are not duplicated by a replay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-'));
  try {
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger } = await Ledger.open({ store, dir: join(dir, 'wal') });
    await ledger.appendMany(Array.from({ length: 1000 }, (_, i) => event(i)));
    await ledger.close();
    assert.equal(await store.countUsage(new Date(0), new Date(Date.UTC(2030, 0, 1))), 1000);
    const again = await Ledger.open({ store, dir: join(dir, 'wal') });
    assert.equal(again.replayed, 0);
    await again.ledger.append(event(5));
    await again.ledger.close();
    assert.equal(await store.countUsage(new Date(0), new Date(Date.UTC(2030, 0, 1))), 1000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('events acknowledged before kill -9 are replayed into the store on the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-kill-'));
  try {
    // A child process appends events, prints how many were acknowledged, and is killed without flushing.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '_test-kill-child.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acked = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        const m = /acked (\d+)/.exec(b.toString());
        if (m) {
          acked = Number(m[1]);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    assert.ok(acked >= 5000, `child acknowledged ${acked}`);
    assert.ok(readdirSync(join(dir, 'wal')).length > 0, 'the WAL holds the unflushed events');
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger, replayed } = await Ledger.open({ store, dir: join(dir, 'wal') });
    await ledger.close();
    const n = await store.countUsage(new Date(0), new Date(Date.UTC(2030, 0, 1)));
    assert.ok(n >= acked, `store has ${n}, acknowledged ${acked}`);
    assert.ok(replayed > 0);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every field of an event survives the WAL and the flush into the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-fields-'));
  try {
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger } = await Ledger.open({ store, dir: join(dir, 'wal') });
    const full = makeUsageEvent({
      id: 'full-1',
      startTime: Date.UTC(2026, 4, 2, 3, 4, 5, 678),
      durationMs: 1234,
      ttftMs: 210,
      keyId: 'vk_1',
      team: 'support',
      app: 'bot',
      environment: 'prod',
      costCenter: 'CC-7',
      endUser: 'u-9',
      tags: { feature: 'faq', 'quote"d': "it's" },
      provider: 'azure-openai',
      upstream: 'aoai-east',
      deployment: 'gpt-4o-ptu',
      requestModel: 'gpt-4o',
      model: 'gpt-4o-2024-08-06',
      deploymentType: 'provisioned',
      region: 'eastus2',
      operation: 'chat',
      streamed: true,
      inputTokens: 1200,
      cachedInputTokens: 1024,
      outputTokens: 300,
      reasoningTokens: 64,
      usageSource: 'partial',
      httpStatus: 499,
      errorClass: 'client_disconnect',
      cacheOutcome: 'miss',
      attempts: 2,
      costNanos: 9_007_199_254_740_993n,
      listCostNanos: 12_345n,
      savedCostNanos: 7n,
      priceVersion: 'v1',
    });
    await ledger.append(full);
    await ledger.close();
    const [row] = await store.query('SELECT *, cost_nanos::VARCHAR AS cost_text FROM usage_events');
    assert.ok(row);
    assert.equal(row['start_time'], '2026-05-02T03:04:05.678Z');
    assert.equal(row['cost_text'], '9007199254740993', 'costs beyond 2^53 stay exact');
    assert.deepEqual(JSON.parse(String(row['tags'])), full.tags);
    assert.equal(row['ttft_ms'], 210);
    assert.equal(row['deployment_type'], 'provisioned');
    assert.equal(row['reasoning_tokens'], 64);
    assert.equal(row['usage_source'], 'partial');
    assert.equal(row['attempts'], 2);
    assert.equal(row['streamed'], true);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line in the WAL (a crash mid-write) is skipped and the rest is replayed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-torn-'));
  try {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { encodeEvent } = await import('./index.js');
    mkdirSync(join(dir, 'wal'));
    const lines =
      [event(1), event(2)].map(encodeEvent).join('\n') + '\n' + encodeEvent(event(3)).slice(0, 40);
    writeFileSync(join(dir, 'wal', 'wal-00000001.jsonl'), lines);
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger, replayed } = await Ledger.open({ store, dir: join(dir, 'wal') });
    await ledger.close();
    assert.equal(replayed, 2);
    assert.deepEqual(
      readdirSync(join(dir, 'wal')).filter((f) => f.includes('00000001')),
      [],
    );
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a WAL line decodes back to the event it encodes', async () => {
  const { encodeEvent, decodeEvent } = await import('./index.js');
  const e = makeUsageEvent({
    id: 'rt',
    startTime: 1_700_000_000_123.5,
    model: 'm',
    team: 'a "quoted"\nteam',
    tags: { k: 'v' },
    ttftMs: null,
    costNanos: -5n,
    listCostNanos: 2n ** 70n,
  });
  assert.deepEqual(decodeEvent(encodeEvent(e)), e);
});
