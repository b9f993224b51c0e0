/** The watched folder: a new export is ingested once it has stopped changing, and only once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { schedulePlan, startSchedule } from './_schedule.js';

test('a file dropped in the watched folder is ingested once after it is stable; other files are ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-watch-'));
  const ran: string[][] = [];
  const schedule = startSchedule({
    store: {} as CostStore,
    config: configSchema.parse({}),
    alertsSeconds: null,
    passAtStart: false,
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
    passAtStart: true,
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

test('tally serve runs its pass at start; a gateway alone waits for the interval, skips a pass with no sink or budget, and seeds nothing', async () => {
  const config = (server: Record<string, unknown> = {}) => configSchema.parse({ server });
  assert.deepEqual(schedulePlan(config(), 'serve'), {
    alertsSeconds: 300,
    passAtStart: true,
    passOnlyWithWork: false,
    seedAnswers: true,
  });
  assert.deepEqual(schedulePlan(config(), 'gateway'), {
    alertsSeconds: 300,
    passAtStart: false,
    passOnlyWithWork: true,
    seedAnswers: false,
  });
  assert.equal(schedulePlan(config({ scheduledPass: 'always' }), 'gateway').passAtStart, true);
  assert.equal(schedulePlan(config({ scheduledPass: 'always' }), 'gateway').passOnlyWithWork, false);
  assert.equal(schedulePlan(config({ scheduledPass: 'never' }), 'serve').alertsSeconds, null);
  assert.equal(schedulePlan(config({ alertsSeconds: 60 }), 'gateway').alertsSeconds, 60);

  // The schedule honours the plan: no read of the store before the interval, none while nothing is due.
  const reads: string[] = [];
  const recording = new Proxy({} as CostStore, {
    get: (_t, name) => () => {
      reads.push(String(name));
      return new Promise(() => undefined);
    },
  });
  const opts = { store: recording, config: config(), watch: null, log: () => undefined };
  const run = () => Promise.resolve({ code: 0, stdout: '{}', stderr: '' });
  const late = startSchedule({ ...opts, alertsSeconds: 3600, passAtStart: false, run });
  let asked = 0;
  const idle = startSchedule({
    ...opts,
    alertsSeconds: 3600,
    passAtStart: true,
    whenDue: () => {
      asked++;
      return Promise.resolve(false);
    },
    run,
  });
  await new Promise((r) => setTimeout(r, 200));
  await late.stop();
  await idle.stop();
  assert.equal(asked, 1, 'the pass at start asked whether it was due');
  assert.deepEqual(reads, [], 'no pass read the store');
});
