import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { openDuckDBStore } from '../src/store/index.js';

test('tally --version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('an unknown command prints help and exits non-zero', async () => {
  const r = await runCli(['frobnicate']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /Commands:/);
});

test('tally sql answers a read with one JSON document and refuses writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-sql-'));
  try {
    const db = join(dir, 't.duckdb');
    const ok = await runCli(['sql', '--db', db, '--json', 'SELECT 42 AS x']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.json(), [{ x: 42 }]);
    const bad = await runCli(['sql', '--db', db, '--json', 'DELETE FROM usage_events']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /only runs reads/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tally sql refuses a result past its row cap and --max-rows moves the cap for a local user', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-sql-'));
  try {
    const db = join(dir, 't.duckdb');
    const over = await runCli(['sql', '--db', db, '--json', 'SELECT * FROM range(100001)']);
    assert.equal(over.code, 2, over.stderr);
    assert.match(over.stderr, /more than 100000 rows; aggregate it or add a LIMIT/);
    const raised = await runCli([
      'sql',
      '--db',
      db,
      '--json',
      '--max-rows',
      '200000',
      'SELECT * FROM range(100001)',
    ]);
    assert.equal(raised.code, 0, raised.stderr);
    assert.equal((raised.json() as unknown[]).length, 100_001);
    const lowered = await runCli(['sql', '--db', db, '--json', '--max-rows', '2', 'SELECT * FROM range(3)']);
    assert.equal(lowered.code, 2);
    const bad = await runCli(['sql', '--db', db, '--max-rows', '0', 'SELECT 1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-rows: "0" is not a valid whole number >= 1/);
    // The same whole-number rule for every count option: --top refuses a fraction.
    const top = await runCli(['costs', '--db', db, '--by', 'x_AiModel', '--top', '2.5']);
    assert.equal(top.code, 2);
    assert.match(top.stderr, /--top: "2.5" is not a valid whole number >= 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed tally.yaml names the file, the field and what was expected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-cfg-'));
  try {
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, 'pricing:\n  discounts:\n    - { percent: "ten" }\n');
    const r = await runCli(['sql', '--config', cfg, '--db', join(dir, 'x.duckdb'), 'SELECT 1']);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(cfg), r.stderr);
    assert.match(r.stderr, /pricing\.discounts\.0\.percent/);
    assert.match(r.stderr, /expected number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt store file gives a clear error and is left untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-corrupt-'));
  try {
    const db = join(dir, 'bad.duckdb');
    const junk = 'this is not a duckdb file\n'.repeat(200);
    writeFileSync(db, junk);
    const r = await runCli(['sql', '--db', db, 'SELECT 1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot open the store/);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(db, 'utf8'), junk);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store held by another process is reported as locked, not opened or overwritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-locked-'));
  const db = join(dir, 'held.duckdb');
  const holder = await openDuckDBStore({ path: db });
  try {
    const r = await runCli(['sql', '--db', db, '--json', 'SELECT 1 AS one']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /in use by another Tally process/);
    assert.equal(r.json<{ error: { code: string } }>().error.code, 'store_locked');
  } finally {
    await holder.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the store is opened with the configured memory limit (2GB unless tally.yaml says otherwise)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-mem-'));
  try {
    const db = join(dir, 'm.duckdb');
    const q = "SELECT current_setting('memory_limit') AS m";
    const def = await runCli(['sql', '--db', db, '--json', q]);
    assert.equal(def.code, 0, def.stderr);
    assert.deepEqual(def.json(), [{ m: '1.8 GiB' }]);
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, 'store:\n  memoryLimit: 512MB\n');
    const set = await runCli(['sql', '--db', db, '--config', cfg, '--json', q]);
    assert.deepEqual(set.json(), [{ m: '488.2 MiB' }]);
    writeFileSync(cfg, 'store:\n  memoryLimit: lots\n');
    const bad = await runCli(['sql', '--db', db, '--config', cfg, q]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /store\.memoryLimit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command group without its subcommand lists the subcommands and exits non-zero', async () => {
  const r = await runCli(['keys']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /keys create/);
  assert.match(r.stderr, /keys rotate/);
  const h = await runCli(['budgets', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /budgets status/);
});
