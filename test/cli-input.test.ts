/** The CLI's handling of what people type and where its output goes (issue 15, smaller items). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO_ROOT } from './cli.js';
import { openDuckDBStore } from '../src/store/index.js';

const TSX = import.meta.resolve('tsx');
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');

async function emptyStore(): Promise<{ dir: string; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-input-'));
  const db = join(dir, 't.duckdb');
  await (await openDuckDBStore({ path: db })).close();
  return { dir, db };
}

test('global options are accepted before the command (tally --db X keys list, --json --config F costs)', async () => {
  const { dir, db } = await emptyStore();
  try {
    const keys = await runCli(['--db', db, 'keys', 'list', '--json']);
    assert.equal(keys.code, 0, keys.stderr);
    assert.deepEqual(keys.json(), []);
    const config = join(dir, 'tally.yaml');
    writeFileSync(config, 'store:\n  threads: 1\n');
    const costs = await runCli(['--json', `--db=${db}`, '--config', config, 'costs', '--by', 'x_AiModel']);
    assert.equal(costs.code, 0, costs.stderr);
    assert.deepEqual(costs.json(), []);
    const sql = await runCli(['--db', db, '--json', 'sql', 'SELECT 1 AS one']);
    assert.equal(sql.code, 0, sql.stderr);
    assert.deepEqual(sql.json(), [{ one: 1 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a key budget keeps the exact amount typed, to the nano, and a non-amount is refused with what to type', async () => {
  const { dir, db } = await emptyStore();
  try {
    const exact = '1234567.123456789';
    const made = await runCli(['keys', 'create', '--db', db, '--team', 't', '--budget-usd', exact, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const listed = await runCli(['keys', 'list', '--db', db, '--json']);
    const keys = listed.json<{ budget: { usd: unknown; period: string; hard: boolean } }[]>();
    // As a JSON number it would print 1234567.1234567891 (the nearest double), not what was typed.
    assert.deepEqual(keys[0]!.budget, { usd: exact, period: 'month', hard: true });
    const bad = await runCli(['keys', 'create', '--db', db, '--team', 't', '--budget-usd', '12abc']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--budget-usd: "12abc" is not an amount in USD such as 200 or 0\.50/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the CLI with stdout (and stderr, when asked) already closed by the reader, as `| head` does. */
function runWithClosedPipes(
  args: string[],
  closeStderr: boolean,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: REPO_ROOT });
    child.stdout.destroy();
    let stderr = '';
    if (closeStderr) child.stderr.destroy();
    else child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('piping to head ends quietly: a closed stdout or stderr (EPIPE) exits without a stack trace', async () => {
  const version = await runWithClosedPipes(['--version'], false);
  assert.equal(version.stderr, '');
  assert.equal(version.code, 0);
  const help = await runWithClosedPipes(['--help'], false);
  assert.equal(help.stderr, '');
  assert.equal(help.code, 0);
  // An error written to a closed stderr keeps the command's own exit code (2: usage), not a crash (1).
  const unknown = await runWithClosedPipes(['frobnicate'], true);
  assert.equal(unknown.code, 2);
});

test('invalid dates and periods are errors, not empty reports, in every command that takes one', async () => {
  const { dir, db } = await emptyStore();
  const cases: [string[], RegExp][] = [
    [['chargeback', '--period', '2026-13'], /"2026-13" is not a month; give YYYY-MM/],
    [['reconcile', '--period', '2026-1'], /"2026-1" is not a month/],
    [['unit-economics', '--period', '2026-00'], /"2026-00" is not a month/],
    [['export', 'focus', '--period', '2026-13', '--out', join(dir, 'x.csv')], /is not a month/],
    [['budgets', 'status', '--at', '2026-02-30'], /February 2026 has 28 days/],
    [
      [
        'budgets',
        'set',
        '--amount',
        '10',
        '--period',
        'custom',
        '--start',
        '2026-02-30',
        '--end',
        '2026-03-10',
      ],
      /February 2026 has 28 days/,
    ],
    [['alerts', 'run', '--dry-run', '--at', '2026-02-30'], /February 2026 has 28 days/],
    [['costs', '--from', '2026-02-30'], /February 2026 has 28 days/],
    [['usage', '--from', '2026-02-30'], /February 2026 has 28 days/],
    [
      ['anomalies', '--from', 'yesterday-ish', '--to', '2026-03-01'],
      /"yesterday-ish" is not a date; give YYYY-MM-DD/,
    ],
    [['forecast', '--to', '2026-04-31'], /April 2026 has 30 days/],
    [['prices', '--model', 'gpt-4o', '--at', '2026-02-30'], /February 2026 has 28 days/],
    [
      ['estimate', '--scenario', 'examples/support-chatbot.yaml', '--at', '2026-02-30'],
      /February 2026 has 28 days/,
    ],
  ];
  try {
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--db', db, '--json']);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'invalid_input');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
