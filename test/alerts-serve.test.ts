import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, runCli } from './cli.js';
import { makeSpendStore } from './_spend-fixture.js';
import { startReceiver } from './_receiver.js';

async function setup(rxUrl: string): Promise<{ db: string; cfg: string }> {
  const db = await makeSpendStore({ days: 3, start: '2026-01-01' });
  const cfg = join(dirname(db), 'tally.yaml');
  // A budget of $1 this month is crossed by any spend, so every pass has something to send (once).
  writeFileSync(
    cfg,
    [
      'alerts:',
      `  sinks: [{ type: webhook, url: "${rxUrl}/hook" }]`,
      'budgets:',
      '  - { scope: all, period: custom, start: 2026-01-01, end: 2027-01-01, amountUsd: 1, actual: [100], forecast: [] }',
    ].join('\n'),
  );
  return { db, cfg };
}

test('serve --once evaluates one pass, sends the alert and exits', async () => {
  const rx = await startReceiver();
  try {
    const { db, cfg } = await setup(rx.url);
    const r = await runCli(['serve', '--once', '--db', db, '--config', cfg, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim()) as { sent: number; budgets: number };
    assert.equal(line.budgets, 1);
    assert.equal(line.sent, 1);
    assert.equal(rx.received.length, 1);
  } finally {
    await rx.close();
  }
});

test('serve keeps evaluating on its interval without repeating alerts, and stops cleanly on SIGTERM', async () => {
  const rx = await startReceiver();
  try {
    const { db, cfg } = await setup(rx.url);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/main.ts'),
        'serve',
        '--port',
        '0',
        '--interval',
        '1',
        '--db',
        db,
        '--config',
        cfg,
        '--json',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (out.split('\n').filter(Boolean).length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const passes = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { sent: number });
    assert.ok(passes.length >= 3, out);
    assert.deepEqual(
      passes.slice(0, 3).map((p) => p.sent),
      [1, 0, 0],
    );
    assert.equal(rx.received.length, 1);
  } finally {
    await rx.close();
  }
});
