import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, skipWithoutPostgres, type PgCluster } from '../../../test/postgres-cluster.js';
import { makeUsageEvent } from '../usage-event.js';
import { rollupEvents } from '../_test-rollup-events.js';
import { maskStoreUrl, openPostgresStore } from './index.js';
import { poolConfig } from './_connect.js';

const T0 = Date.UTC(2026, 2, 1);

describe('postgres backend', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  test('several processes opening a fresh database at once migrate it exactly once', async () => {
    const url = await cluster.database();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore({ url })));
    try {
      const rows = await stores[0]!.query('SELECT id, count(*) AS n FROM schema_migrations GROUP BY id');
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r['n'] === 1));
    } finally {
      for (const s of stores) await s.close();
    }
  });

  test('events with tabs, newlines, backslashes and quotes in their strings round-trip through COPY', async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    try {
      const odd = 'a\tb\nc\\d\r"e\'f\\N ü 🙂';
      const e = makeUsageEvent({
        id: 'odd',
        startTime: T0 + 0.123,
        model: 'm',
        team: odd,
        tags: { k: odd },
        endUser: null,
        costNanos: 9_007_199_254_740_993n,
      });
      assert.equal(await s.appendUsage([e]), 1);
      const [r] = await s.query(
        "SELECT team, tags->>'k' AS tag, end_user, cost_nanos::text AS cost, to_char(start_time, 'US') AS us FROM usage_events",
      );
      assert.equal(r?.['team'], odd);
      assert.equal(r?.['tag'], odd);
      assert.equal(r?.['end_user'], null);
      assert.equal(r?.['cost'], '9007199254740993');
      assert.equal(r?.['us'], '000123');
    } finally {
      await s.close();
    }
  });

  test('a retried flush and a replayed batch store nothing twice, even when the retry overlaps new events', async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    try {
      const batch = Array.from({ length: 500 }, (_, i) =>
        makeUsageEvent({ id: `e${i}`, startTime: T0 + i, model: 'm', costNanos: 7n }),
      );
      assert.equal(await s.appendUsage(batch), 500);
      const more = Array.from({ length: 100 }, (_, i) =>
        makeUsageEvent({ id: `f${i}`, startTime: T0 + i, model: 'm', costNanos: 7n }),
      );
      assert.equal(await s.appendUsage([...batch.slice(400), ...more, ...more]), 100);
      const [agg] = await s.aggregateUsage({ from: new Date(T0), to: new Date(T0 + 1000), by: [] });
      assert.equal(agg?.requests, 600);
      assert.equal(agg?.costNanos, 4200n);
    } finally {
      await s.close();
    }
  });

  test('a duplicate found after many COPY chunks falls back on the same connection and counts only new events', async () => {
    // One pooled connection: the failed COPY and the slow path after it must leave it usable.
    const s = await openPostgresStore({ url: await cluster.database(), poolSize: 1 });
    const events = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        makeUsageEvent({ id: `${prefix}${i}`, startTime: T0 + i, model: 'm', team: 't', costNanos: 3n }),
      );
    try {
      const first = events('a', 20_000);
      assert.equal(await s.appendUsage(first), 20_000);
      // The only stored id is the batch's last line, so the COPY fails after ~80 chunks have gone out.
      assert.equal(await s.appendUsage([...events('b', 19_999), first.at(-1)!]), 19_999);
      assert.equal(await s.appendUsage(events('c', 10)), 10);
      const [r] = await s.query(
        'SELECT (SELECT count(*) FROM usage_events) AS n, (SELECT sum(requests) FROM usage_daily) AS rolled',
      );
      assert.equal(Number(r?.['n']), 40_009);
      assert.equal(Number(r?.['rolled']), 40_009);
    } finally {
      await s.close();
    }
  });

  test('the daily rollup answers as the events do through appends, replays and deletes', async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    const DAY = 86_400_000;
    const q = { from: new Date(T0), to: new Date(T0 + 5 * DAY), by: ['day', 'team', 'model'] as const };
    const fromEvents = () => s.aggregateUsageFromEvents({ ...q, by: [...q.by] });
    try {
      const batch = Array.from({ length: 900 }, (_, i) =>
        makeUsageEvent({
          id: `${i % 3 ? 'demo-' : ''}r${i}`,
          startTime: T0 + (i % 5) * DAY + i,
          model: i % 2 ? 'a' : 'b',
          team: i % 4 ? 't' : null,
          durationMs: i,
          httpStatus: i % 7 ? 200 : 500,
          costNanos: BigInt(i) * 1_000_003n,
        }),
      );
      await s.appendUsage(batch);
      await s.appendUsage(batch.slice(100, 300));
      await s.deleteUsageByIdPrefix('demo-');
      await s.appendUsage(batch.slice(0, 50));
      const viaRollup = await s.aggregateUsage({ ...q, by: [...q.by] });
      assert.ok(viaRollup.length >= 10);
      assert.deepEqual(viaRollup, await fromEvents());
      const [n] = await s.query('SELECT count(*) AS n FROM usage_daily WHERE requests = 0');
      assert.equal(n?.['n'], 0);
    } finally {
      await s.close();
    }
  });

  test("the flush's own rollup rows equal the events summed in every dimension and sum, through new batches, replays and mixed ones", async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    const events = (prefix: string, n: number) => rollupEvents(T0, prefix, n);
    const dims = 'day, team, cost_center, app, environment, upstream, deployment, model, deployment_type';
    const sums = `requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_nanos,
      list_cost_nanos, saved_cost_nanos, errors, cache_hits, duration_ms`;
    try {
      const a = events('a', 700);
      assert.equal(await s.appendUsage(a), 700);
      assert.equal(await s.appendUsage([...a.slice(0, 50), ...events('b', 30)]), 30);
      assert.equal(await s.appendUsage(a.slice(100, 200)), 0);
      assert.equal(await s.appendUsage(events('c', 333)), 333);
      const stored = await s.query(
        `SELECT ${dims}, ${sums.replace(/(\w+)/g, 'CAST($1 AS TEXT) AS $1')} FROM usage_daily ORDER BY ${dims}`,
      );
      const recomputed = await s.query(
        `SELECT ${dims}, ${sums.replace(/(\w+)/g, 'CAST($1 AS TEXT) AS $1')} FROM (
           SELECT CAST(start_time AT TIME ZONE 'UTC' AS DATE) AS day, team, cost_center, app, environment,
             upstream, deployment, model, deployment_type, count(*) AS requests,
             sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
             sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
             sum(cost_nanos) AS cost_nanos, sum(list_cost_nanos) AS list_cost_nanos,
             sum(saved_cost_nanos) AS saved_cost_nanos, count(*) FILTER (WHERE http_status >= 400) AS errors,
             count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')) AS cache_hits,
             sum(duration_ms) AS duration_ms
           FROM usage_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) e ORDER BY ${dims}`,
      );
      assert.ok(stored.length > 30, `${stored.length} rollup rows`);
      assert.deepEqual(stored, recomputed);
    } finally {
      await s.close();
    }
  });

  test('user SQL cannot read server files, write files, import large objects or switch role', async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    try {
      assert.deepEqual(await s.readOnlySql('SELECT count(*) AS n FROM usage_events'), [{ n: 0 }]);
      await assert.rejects(s.readOnlySql("SELECT pg_read_file('/etc/passwd')"), { code: 'forbidden' });
      await assert.rejects(s.readOnlySql("SELECT pg_ls_dir('.')"), { code: 'forbidden' });
      await assert.rejects(s.readOnlySql("COPY kv TO '/tmp/tally-kv'"), { code: 'forbidden' });
      await assert.rejects(s.readOnlySql("COPY kv FROM '/etc/passwd'"), { code: 'forbidden' });
      await assert.rejects(s.readOnlySql("SELECT lo_import('/etc/passwd')"), { code: 'forbidden' });
      await assert.rejects(
        s.readOnlySql("SELECT set_config('role', 'postgres', true), pg_read_file('/etc/passwd')"),
        { code: 'forbidden' },
      );
      await assert.rejects(s.readOnlySql('SELECT * FROM tally_private.sql_reader'), { code: 'forbidden' });
      await assert.rejects(
        s.readOnlySql("WITH x AS (INSERT INTO kv VALUES ('a','b',NULL,now()) RETURNING 1) SELECT * FROM x"),
        { code: 'forbidden' },
      );
      assert.equal((await s.query('SELECT count(*) AS n FROM kv'))[0]?.['n'], 0);
    } finally {
      await s.close();
    }
  });

  test('user SQL is stopped at its timeout', async () => {
    const s = await openPostgresStore({ url: await cluster.database() });
    try {
      await assert.rejects(s.readOnlySql('SELECT pg_sleep(5)', { timeoutMs: 200 }), /ran longer than 0.2 s/);
      // A result past the row cap is refused, as on DuckDB.
      await assert.rejects(
        s.readOnlySql('SELECT * FROM generate_series(1, 11)', { maxRows: 10 }),
        /more than 10 rows/,
      );
      assert.equal((await s.readOnlySql('SELECT * FROM generate_series(1, 10)', { maxRows: 10 })).length, 10);
      // Rows past the cap are never computed (read through a cursor): a division by zero at row 100 is not reached.
      await assert.rejects(
        s.readOnlySql(
          'SELECT CASE WHEN g > 100 THEN 1 / (g - g) ELSE g END AS v FROM generate_series(1, 1000) g',
          {
            maxRows: 10,
          },
        ),
        /more than 10 rows/,
      );
      // SHOW and EXPLAIN, which cannot be cursors, still answer.
      assert.equal((await s.readOnlySql('SHOW statement_timeout')).length, 1);
    } finally {
      await s.close();
    }
  });

  test('the password never appears in the location or in a connection error', async () => {
    const url = `postgres://tally:s3cret-pw@127.0.0.1:${cluster.port}/no_such_db`;
    assert.equal(maskStoreUrl(url), `postgres://tally:***@127.0.0.1:${cluster.port}/no_such_db`);
    const err = await openPostgresStore({ url }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    assert.ok(err);
    assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /s3cret-pw/);
    const s = await openPostgresStore({
      url: (await cluster.database()).replace('postgres@', 'postgres:pw@'),
    });
    try {
      assert.doesNotMatch(s.location, /:pw@/);
    } finally {
      await s.close();
    }
  });
});

test('TLS settings follow sslmode: require encrypts without checks, verify-full checks the chain and the name', () => {
  const base = 'postgres://u:p@db.example.com:5432/tally';
  assert.equal(poolConfig({ url: base }).ssl, false);
  assert.deepEqual(poolConfig({ url: `${base}?sslmode=require` }).ssl, { rejectUnauthorized: false });
  const full = poolConfig({ url: base, sslMode: 'verify-full' }).ssl as { rejectUnauthorized: boolean };
  assert.equal(full.rejectUnauthorized, true);
  assert.throws(
    () => poolConfig({ url: base, sslMode: 'verify-full', sslCaFile: '/no/such/ca.pem' }),
    /CA file/,
  );
  assert.equal(poolConfig({ url: 'postgres://u@/tally?host=/tmp/sock' }).host, '/tmp/sock');
  assert.equal(poolConfig({ url: base, statementTimeoutMs: 1234 }).statement_timeout, 1234);
});
