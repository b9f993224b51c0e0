/** The watched folder: a new export is ingested once it has stopped changing, and only once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { startSchedule } from './_schedule.js';

test('a file dropped in the watched folder is ingested once after it is stable; other files are ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-watch-'));
  const ran: string[][] = [];
  const schedule = startSchedule({
    store: {} as CostStore,
    config: configSchema.parse({}),
    alertsSeconds: null,
    watch: { dir, intervalSeconds: 0.2 },
    run: (argv) => {
      ran.push([...argv]);
      return Promise.resolve({ code: 0, stdout: '{}', stderr: '' });
    },
    log: () => undefined,
  });
  try {
    writeFileSync(join(dir, 'notes.txt'), 'not an export');
    writeFileSync(join(dir, 'cost[1].csv'), 'a,b\n1,2\n');
    const deadline = Date.now() + 20_000;
    while (ran.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(ran, [['ingest', join(dir, 'cost[1].csv'), '--json']]);
  } finally {
    await schedule.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stopping does not wait for an alert pass that is still reading', async () => {
  // Every store read hangs: the first alert pass (at start) never gets past reading.
  const hanging = new Proxy({} as CostStore, { get: () => () => new Promise(() => undefined) });
  const schedule = startSchedule({
    store: hanging,
    config: configSchema.parse({}),
    alertsSeconds: 3600,
    watch: null,
    run: () => Promise.resolve({ code: 0, stdout: '{}', stderr: '' }),
    log: () => undefined,
  });
  await new Promise((r) => setTimeout(r, 50)); // the pass has started
  const stopped = await Promise.race([
    schedule.stop().then(() => 'stopped'),
    new Promise((r) => setTimeout(() => r('still waiting'), 2000)),
  ]);
  assert.equal(stopped, 'stopped');
});
