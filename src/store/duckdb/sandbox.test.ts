import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TallyError } from '../../core/index.js';
import { openDuckDBStore, type DuckDBStore } from './index.js';

// Class 9 of issue 15: `tally sql` (and any API or assistant query path, which all go through readOnlySql) is
// read-only for files too. Each attack is refused before DuckDB binds it, and the secret never shows.
const SECRET = 'tally-admin-4f1c9e-secret';

describe('tally sql is read-only for files too', () => {
  let dir: string;
  let store: DuckDBStore;
  let token: string;
  let csv: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-sandbox-'));
    token = join(dir, 'admin-token');
    writeFileSync(token, `${SECRET}\n`);
    csv = join(dir, 'other-store.csv');
    writeFileSync(csv, `token,value\n${SECRET},1\n`);
    store = await openDuckDBStore({ path: join(dir, 'tally.duckdb') });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = async (sql: string, code: 'forbidden' | 'invalid_input' = 'forbidden') => {
    await assert.rejects(store.readOnlySql(sql), (err: unknown) => {
      assert.ok(err instanceof TallyError, `expected a TallyError for ${sql}, got ${String(err)}`);
      assert.equal(err.code, code, `${sql}: ${err.message}`);
      assert.doesNotMatch(err.message, new RegExp(SECRET));
      return true;
    });
  };
  const attacks: [string, (d: { token: string; csv: string; dir: string }) => string][] = [
    ['read_csv of a local file', (d) => `SELECT * FROM read_csv('${d.token}')`],
    ['read_csv_auto inside a subquery', (d) => `SELECT (SELECT count(*) FROM read_csv_auto('${d.csv}'))`],
    ['read_text of a local file', (d) => `SELECT content FROM read_text('${d.token}')`],
    ['read_blob of a local file', (d) => `SELECT content FROM read_blob('${d.token}')`],
    ['glob over a directory', (d) => `SELECT * FROM glob('${d.dir}/*')`],
    ['read_parquet with a glob', (d) => `SELECT * FROM read_parquet('${d.dir}/**/*.parquet')`],
    ['a replacement scan of a quoted path', (d) => `SELECT * FROM '${d.csv}'`],
    ['a replacement scan of a double-quoted path', (d) => `SELECT * FROM "${d.csv}"`],
    ['a replacement scan hidden in a CTE', (d) => `WITH x AS (SELECT * FROM '${d.csv}') SELECT * FROM x`],
    ['a replacement scan in a lateral join', (d) => `SELECT * FROM range(1), LATERAL (FROM '${d.csv}')`],
    ['DESCRIBE of a file', (d) => `DESCRIBE '${d.csv}'`],
    ['an https:// path (httpfs download)', () => `SELECT * FROM 'https://example.com/x.parquet'`],
    ['read_parquet of an s3:// URL', () => `SELECT * FROM read_parquet('s3://bucket/x.parquet')`],
    ['ATTACH of another database', (d) => `ATTACH '${d.dir}/other.duckdb' AS o`],
    ['COPY to a file', (d) => `COPY (SELECT 1) TO '${d.dir}/out.csv'`],
    ['COPY from a file', (d) => `COPY cost_rows FROM '${d.csv}'`],
    ['INSTALL of an extension', () => `INSTALL httpfs`],
    ['LOAD of an extension', () => `LOAD httpfs`],
    ['SET of a setting', () => `SET enable_external_access = true`],
    ['PRAGMA', () => `PRAGMA database_list`],
    ['current_setting of a path', () => `SELECT current_setting('temp_directory')`],
    ['current_setting of a computed name', () => `SELECT current_setting(lower('MEMORY_LIMIT'))`],
    ['getenv', () => `SELECT getenv('HOME')`],
    ['nextval (a write)', () => `SELECT nextval('any_seq')`],
    ['write_log (a write)', () => `SELECT write_log('x')`],
    [
      'json_execute_serialized_sql',
      () => `SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))`,
    ],
    ['the query table function', (d) => `SELECT * FROM query('SELECT * FROM read_text(''${d.token}'')')`],
    ['a system catalog view', () => `SELECT * FROM system.main.duckdb_databases`],
    ['duckdb_settings()', () => `SELECT * FROM duckdb_settings()`],
    [
      'a CTE named like a system view',
      () => `SELECT * FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1), duckdb_databases`,
    ],
    ['an EXPLAIN of a file read', (d) => `EXPLAIN ANALYZE SELECT * FROM read_text('${d.token}')`],
  ];
  for (const [name, sql] of attacks)
    test(`refuses ${name}`, async () => {
      await refused(sql({ token, csv, dir }));
    });

  test('refuses multiple statements', async () => {
    await refused(`SELECT 1; SELECT * FROM read_text('${token}')`, 'invalid_input');
  });

  test('a long query is stopped by the timeout', async () => {
    await assert.rejects(
      store.readOnlySql('SELECT count(*) FROM range(1000000) a, range(1000000) b', { timeoutMs: 200 }),
      (err: unknown) =>
        err instanceof TallyError && /stopped/.test(err.message) && err.code === 'invalid_input',
    );
  });

  test('a query that would return more rows than the cap is refused instead of filling memory', async () => {
    await assert.rejects(
      store.readOnlySql('SELECT * FROM range(10000000)'),
      (err: unknown) =>
        err instanceof TallyError &&
        err.code === 'invalid_input' &&
        /more than 100000 rows/.test(err.message),
    );
    await assert.rejects(store.readOnlySql('SELECT * FROM range(11)', { maxRows: 10 }), /more than 10 rows/);
    assert.equal((await store.readOnlySql('SELECT * FROM range(10)', { maxRows: 10 })).length, 10);
  });

  test('reads of the store still work: SELECT, WITH, DESCRIBE, SHOW TABLES, EXPLAIN, range()', async () => {
    assert.deepEqual(await store.readOnlySql('SELECT count(*) AS n FROM cost_rows'), [{ n: 0 }]);
    assert.deepEqual(await store.readOnlySql('WITH t AS (SELECT 2 AS x) SELECT x FROM t'), [{ x: 2 }]);
    assert.ok((await store.readOnlySql('DESCRIBE usage_events')).length > 5);
    assert.ok((await store.readOnlySql('SHOW TABLES')).some((r) => r['name'] === 'cost_rows'));
    assert.equal((await store.readOnlySql('EXPLAIN SELECT * FROM cost_rows')).length, 1);
    assert.deepEqual(await store.readOnlySql('SELECT sum(range) AS s FROM range(4)'), [{ s: 6 }]);
    // An operator checks the store's sizing: those settings (and only those) stay readable.
    assert.equal((await store.readOnlySql("SELECT current_setting('threads') AS t")).length, 1);
  });

  test('the sandbox is per query: the same store still ingests files with read_csv afterwards', async () => {
    await refused(`SELECT * FROM read_csv('${csv}')`);
    const rows = await store.query(`SELECT count(*) AS n FROM read_csv('${csv.replace(/'/g, "''")}')`);
    assert.deepEqual(rows, [{ n: 1 }]);
  });
});
