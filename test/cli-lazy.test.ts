/** The CLI loads lazily (help and --version import no command module) and every registered command still loads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { COMMANDS } from '../src/cli/commands/index.js';

/** The modules `tally ...args` resolves, as URLs. */
function importsOf(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tally-imports-'));
  try {
    const log = join(dir, 'imports.log');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', './test/_import-log.mjs', 'src/cli/main.ts', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, TALLY_IMPORT_LOG: log }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// What help must not pay for: command modules, the store (DuckDB), the config schema (zod, yaml), tiktoken.
const HEAVY =
  /\/src\/cli\/commands\/(?!index\.ts)|\/src\/(store|core|catalog)\/|@duckdb|tiktoken|\/zod\/|\/yaml\//;

test('tally --help and --version import no command module, no store, no config schema and no tokenizer', () => {
  for (const args of [['--help'], ['--version'], ['keys', '--help']]) {
    const urls = importsOf(args);
    assert.ok(
      urls.some((u) => u.endsWith('/src/cli/commands/index.ts')),
      `the registry is loaded: ${urls.join('\n')}`,
    );
    assert.deepEqual(
      urls.filter((u) => HEAVY.test(u)),
      [],
      `tally ${args.join(' ')} loaded heavy modules`,
    );
  }
});

test('a command loads its own module only when it runs or shows its help', () => {
  const urls = importsOf(['costs', '--help']);
  assert.ok(urls.some((u) => u.endsWith('/src/cli/commands/costs.ts')));
  assert.ok(!urls.some((u) => u.endsWith('/src/cli/commands/chargeback.ts')));
});

test('series forecasts and anomaly scans, which open no store, load neither database driver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-series-'));
  try {
    const csv = join(dir, 's.csv');
    const hours = Array.from(
      { length: 120 },
      (_, i) => `${new Date(Date.UTC(2026, 0, 1, i)).toISOString()},${(i % 24) + 10}`,
    );
    writeFileSync(csv, `timestamp,value\n${hours.join('\n')}\n`);
    for (const args of [
      ['forecast', '--series', csv, '--horizon', '6', '--json'],
      ['anomalies', '--series', csv, '--json'],
    ]) {
      const drivers = importsOf(args).filter((u) => /@duckdb|\/node_modules\/pg(-[a-z-]+)?\//.test(u));
      assert.deepEqual(drivers, [], `tally ${args[0]} --series loaded a database driver`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Every command with its options, as before the registry became lazy (external checks rely on them).
const EXPECTED: Record<string, string> = {
  sql: 'max-rows | positionals',
  'store copy': 'from to replace',
  ask: 'model token | positionals',
  mcp: 'token',
  demo: 'days seed end no-serve skip-analyses next-month',
  estimate: 'scenario csv at',
  prices: 'model deployment provider at all',
  'prices import': 'url any-region | positionals',
  tokens: 'model text file messages tools',
  gateway: 'port host',
  'keys create':
    'team app env cost-center tag models tpm quota-tokens quota-period budget-usd budget-period soft-budget',
  'keys list': 'all',
  'keys revoke': ' | positionals',
  'keys rotate': ' | positionals',
  usage: 'by from to',
  costs: 'by from to ai-only granularity filter',
  ingest: 'format quarantine | positionals',
  validate: 'strict | positionals',
  chargeback: 'period by view csv out team basis metric',
  'export focus': 'period out by',
  reconcile: 'period by view threshold',
  'unit-economics': 'period kpi by view',
  'alerts run': 'at dry-run',
  'alerts test': 'sink',
  anomalies: 'series season from to grain threshold rescan',
  'budgets delete': 'id',
  'budgets set': 'scope value period start end amount actual forecast hard',
  'budgets status': 'at basis metric',
  forecast: 'series horizon season holidays explain scope history to basis metric',
  serve: 'interval once port host no-gateway',
  freshness: '',
  'users create': 'name role team',
  'users list': '',
  'users revoke': ' | positionals',
};

test('every registered command loads and declares its options', async () => {
  const seen: Record<string, string> = {};
  for (const entry of COMMANDS) {
    assert.ok(entry.summary.length > 0, entry.name);
    const cmd = await entry.load();
    assert.equal(typeof cmd.run, 'function', entry.name);
    for (const [name, o] of Object.entries(cmd.options))
      assert.ok(o.description && (o.type === 'string' || o.type === 'boolean'), `${entry.name} --${name}`);
    seen[entry.name] = Object.keys(cmd.options).join(' ') + (cmd.positionals ? ' | positionals' : '');
  }
  // New commands may be added; none of the existing ones may lose or rename an option.
  for (const [name, options] of Object.entries(EXPECTED)) {
    assert.ok(seen[name] !== undefined, `${name} is still registered`);
    const [have, havePos] = seen[name]!.split(' | ');
    const [want, wantPos] = options.split(' | ');
    const missing = (want ?? '').split(' ').filter((o) => o && !(have ?? '').split(' ').includes(o));
    assert.deepEqual(missing, [], `${name} keeps its options`);
    assert.equal(havePos !== undefined, wantPos !== undefined, `${name} keeps taking positionals or not`);
  }
  assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length, 'command names are unique');
});
