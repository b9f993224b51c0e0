import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { openDuckDBStore } from '../store/index.js';
import { Ledger, makeUsageEvent } from './index.js';

const event = (i: number) =>
  makeUsageEvent({
    id: `e-${i}`,
    startTime: Date.UTC(2026, 0, 1) + i,
    model: 'gpt-4o-2024-08-06',
    team: 't',
    inputTokens: 10,
    outputTokens: 5,
    costNanos: 123n,
  });

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
