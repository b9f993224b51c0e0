/**
 * The store seam (docs/decisions/0018), checked on the sources: SQL text is sent to a store only from inside
 * the store's backend folders (src/store/<backend>/) and its shared portable SQL (src/store/sql/). Everything
 * else calls named operations; user SQL goes through `readOnlySql`, the one door for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './cli.js';

/**
 * Files that send DuckDB SQL to ingest's file engine: a scratch in-memory DuckDB that reads, types and
 * classifies cost files, never the configured store (rows reach the store through `loadCostRows`; ADR 0025).
 * The test fails when one stops doing so, so the list shrinks with the code.
 */
const PENDING: readonly { readonly file: string; readonly why: string }[] = [
  { file: 'src/ingest/_load.ts', why: 'file engine: classification, typed rows, the cost-rows file' },
  { file: 'src/ingest/_read.ts', why: 'file engine: read_csv/read_parquet into temp tables' },
  { file: 'src/ingest/_validate.ts', why: 'file engine: validate runs its checks on a scratch DuckDB' },
];

const SQL_HOME = /^src\/store\/(sql|duckdb|postgres|clickhouse)\//;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [p] : [];
  });
}

/** A `.query(` / `.exec(` call whose first argument is SQL text (a literal with a SQL verb, or a `...sql` name). */
const SQL_CALL =
  /\.(?:query|exec)\(\s*(?:[`'"]\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|SET|DESCRIBE|COPY|BEGIN)\b|\w*(?:sql|Sql|SQL)\b)/;

/** Files outside the store's SQL folders that send SQL text to a store, with the first offending line. */
export function sqlOutsideTheStore(root: string): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const path of sources(join(root, 'src'))) {
    const file = relative(root, path).replaceAll('\\', '/');
    if (SQL_HOME.test(file)) continue;
    const text = readFileSync(path, 'utf8');
    const hit = text.split('\n').find((l) => SQL_CALL.test(l) || l.includes('duckdbSql('));
    if (hit !== undefined) out.push({ file, line: hit.trim() });
  }
  return out;
}

test("no module outside src/store/<backend>/ and src/store/sql/ sends SQL to the store, except ingest's file-engine files", () => {
  const found = sqlOutsideTheStore(REPO_ROOT);
  const pending = new Set(PENDING.map((p) => p.file));
  const unexpected = found.filter((f) => !pending.has(f.file));
  assert.deepEqual(unexpected, [], 'use a named store operation (src/store/store.ts) instead of SQL');
  const gone = PENDING.filter((p) => !found.some((f) => f.file === p.file));
  assert.deepEqual(gone, [], 'these files no longer send SQL: drop them from PENDING');
});

test('the SQL detector flags a store call with SQL text and ignores a regular expression exec', () => {
  assert.ok(SQL_CALL.test("const rows = await store.query('SELECT 1 AS x');"));
  assert.ok(SQL_CALL.test('await tx.exec(`DELETE FROM kv`);'));
  assert.ok(SQL_CALL.test('await store.query(minuteSql, [w.from]);'));
  assert.ok(!SQL_CALL.test('const m = /^Bearer\\s+(\\S+)$/i.exec(auth);'));
  assert.ok(!SQL_CALL.test("const preset = r.query('preset');"));
});

test('CostStore has no query or exec: callers cannot send SQL through the interface', () => {
  const iface = readFileSync(join(REPO_ROOT, 'src/store/store.ts'), 'utf8');
  const body = iface.slice(iface.indexOf('export interface CostStore'));
  const end = body.indexOf('\n}\n');
  assert.doesNotMatch(body.slice(0, end), /^\s*(query|exec)\(/m);
});
