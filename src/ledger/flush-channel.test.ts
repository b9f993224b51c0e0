import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDBStore } from '../store/index.js';
import { FLUSH_CHANNEL, Ledger } from './index.js';
import { testEvent } from './_test-events.js';

test('each background flush announces its start and its end with the events it stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-channel-'));
  const seen: { phase: string; events?: number; at: number }[] = [];
  const listen = (m: unknown) =>
    seen.push({ ...(m as { phase: string; events?: number }), at: performance.now() });
  subscribe(FLUSH_CHANNEL, listen);
  try {
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger } = await Ledger.open({ store, dir: join(dir, 'wal'), flushIntervalMs: 50 });
    await ledger.appendMany(Array.from({ length: 30 }, (_, i) => testEvent(i)));
    for (let i = 0; i < 100 && !seen.some((m) => m.phase === 'end'); i++)
      await new Promise((r) => setTimeout(r, 20));
    await ledger.close();
    const start = seen.findIndex((m) => m.phase === 'start');
    assert.ok(start >= 0, 'a flush started');
    const end = seen[start + 1]!;
    assert.equal(end.phase, 'end');
    assert.equal(end.events, 30);
    assert.ok(end.at >= seen[start]!.at);
    assert.equal(await store.countUsage(new Date(0), new Date(Date.UTC(2030, 0, 1))), 30);
    await store.close();
  } finally {
    unsubscribe(FLUSH_CHANNEL, listen);
    rmSync(dir, { recursive: true, force: true });
  }
});
