/**
 * Two ingest runs at once (two `tally ingest` processes, the server and a CLI, two replicas' watched folders):
 * the same file is stored once and a file is never reported loaded for fewer rows than it has, on PostgreSQL
 * (two stores with their own connection pools, as two processes have) and on DuckDB (two runs in the process
 * that owns the file). The runs are held at their store transaction until both have read and planned their
 * files, so both have seen the file as new: the race the store's ingest lock closes (ADR 0034).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestFiles, type IngestResult } from '../src/ingest/index.js';
import { openDuckDBStore, openPostgresStore, type CostStore } from '../src/store/index.js';
import { LINES, focusCsv, usdText } from './ingest-fixtures.js';
import { startPostgres, skipWithoutPostgres, type PgCluster } from './postgres-cluster.js';

/** The stores under test answer raw reads too (both backends' classes). */
type Store = CostStore & { query(sql: string): Promise<Record<string, unknown>[]> };

/** A store whose `transaction` waits until `parties` callers have reached it. */
function heldAtTransaction(store: CostStore, gate: { arrive: () => Promise<void> }): CostStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'transaction')
        return async (fn: (tx: CostStore) => Promise<unknown>) => {
          await gate.arrive();
          return target.transaction(fn);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function barrier(parties: number) {
  let waiting = 0;
  let open!: () => void;
  const opened = new Promise<void>((ok) => (open = ok));
  return {
    arrive: () => {
      if (++waiting >= parties) open();
      return opened;
    },
  };
}

/** Rows and the exact billed total in the store (as text, no trailing zeros). */
async function totals(store: Store): Promise<{ rows: number; billed: string; ingests: number }> {
  const [r] = await store.query(
    'SELECT count(*) AS n, CAST(sum("BilledCost") AS VARCHAR) AS billed FROM cost_rows',
  );
  const [i] = await store.query('SELECT count(*) AS n FROM ingests');
  const billed = String(r?.['billed'] ?? '0')
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return { rows: Number(r?.['n']), billed, ingests: Number(i?.['n']) };
}

const loaded = (r: IngestResult) => r.files.filter((f) => f.status === 'loaded');

function scenarios(name: string, open: () => Promise<[Store, Store]>, dir: () => string) {
  const file = (n: string, month: string) => {
    const p = join(dir(), `${name}-${n}.csv`);
    writeFileSync(p, focusCsv(LINES, { month }));
    return p;
  };
  const run = (store: CostStore, path: string) =>
    ingestFiles(store, { paths: [path], quarantineDir: join(dir(), 'q') });

  test(`${name}: two runs ingesting the same file at once store it once, and each reports what it did`, async () => {
    const [a, b] = await open();
    try {
      const path = file('same', '2026-01');
      const gate = barrier(2);
      const results = await Promise.all([
        run(heldAtTransaction(a, gate), path),
        run(heldAtTransaction(b, gate), path),
      ]);
      // One run stored every row; the other stored none and says so.
      const stored = results.flatMap(loaded);
      assert.equal(stored.length, 1, JSON.stringify(results));
      assert.equal(stored[0]!.rowsLoaded, LINES.length);
      const other = results.find((r) => loaded(r).length === 0)!;
      assert.equal(other.files[0]!.status, 'unchanged');
      assert.equal(other.rowsLoaded, 0);
      assert.deepEqual(await totals(a), {
        rows: LINES.length,
        billed: usdText(LINES.map((l) => l.billed)),
        ingests: 1,
      });
      // And a third run afterwards changes nothing either.
      assert.equal((await run(b, path)).files[0]!.status, 'unchanged');
      assert.equal((await totals(b)).rows, LINES.length);
    } finally {
      await Promise.all([a.close(), b === a ? null : b.close()]);
    }
  });

  test(`${name}: two runs ingesting two different files at once store both, each once`, async () => {
    const [a, b] = await open();
    try {
      const jan = file('jan', '2026-01');
      const feb = file('feb', '2026-02');
      const gate = barrier(2);
      const results = await Promise.all([
        run(heldAtTransaction(a, gate), jan),
        run(heldAtTransaction(b, gate), feb),
      ]);
      for (const r of results)
        assert.deepEqual(
          r.files.map((f) => [f.status, f.rowsLoaded]),
          [['loaded', LINES.length]],
        );
      const billed = LINES.map((l) => l.billed);
      assert.deepEqual(await totals(b), {
        rows: 2 * LINES.length,
        billed: usdText([...billed, ...billed]),
        ingests: 2,
      });
    } finally {
      await Promise.all([a.close(), b === a ? null : b.close()]);
    }
  });
}

describe('concurrent ingest on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let dir = '';
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'tally-ingest-race-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  scenarios(
    'PostgreSQL',
    async () => {
      const url = await cluster.database();
      // Migrate once first, then two stores with their own pools: two processes' worth of connections.
      await (await openPostgresStore({ url })).close();
      return [await openPostgresStore({ url }), await openPostgresStore({ url })];
    },
    () => dir,
  );

  test('a store that holds a file twice (written before the lock) keeps its latest ingest when migrated', async () => {
    const url = await cluster.database();
    const s = (await openPostgresStore({ url })) as unknown as Store & {
      exec(sql: string, p?: unknown[]): Promise<void>;
    };
    try {
      // Undo migration 934, then store one file's bytes under two ingests, as two racing runs did.
      await s.exec('DROP INDEX ingests_file_hash');
      await s.exec('DELETE FROM schema_migrations WHERE id = 934');
      for (const [id, at, cost] of [
        ['run1-0', '2026-01-05T00:00:00Z', '1.5'],
        ['run2-0', '2026-01-05T00:00:01Z', '2.5'],
        ['other-0', '2026-01-04T00:00:00Z', '7'],
      ] as const) {
        await s.recordIngest({
          id,
          file: 'x.csv',
          fileHash: id === 'other-0' ? 'h-other' : 'h-same',
          format: 'focus-1.2',
          sliceKey: null,
          rowsLoaded: 1,
          rowsRejected: 0,
          ingestedAt: new Date(at),
        });
        await s.exec(
          `INSERT INTO cost_rows (_row_id, _ingest_id, "BilledCost") VALUES ($1, $1, CAST($2 AS NUMERIC))`,
          [id, cost],
        );
      }
    } finally {
      await s.close();
    }
    const m = (await openPostgresStore({ url })) as unknown as Store;
    try {
      const rows = await m.query('SELECT _ingest_id AS id FROM cost_rows ORDER BY 1');
      assert.deepEqual(
        rows.map((r) => r['id']),
        ['other-0', 'run2-0'],
      );
      const ing = await m.query('SELECT id FROM ingests ORDER BY 1');
      assert.deepEqual(
        ing.map((r) => r['id']),
        ['other-0', 'run2-0'],
      );
    } finally {
      await m.close();
    }
  });
});

describe('concurrent ingest on DuckDB', () => {
  let dir = '';
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tally-ingest-race-duck-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  scenarios(
    'DuckDB',
    async () => {
      // One process owns a DuckDB file: concurrent runs share its store (the server's API and its watcher).
      const s = await openDuckDBStore({ path: join(dir, `s${n++}.duckdb`) });
      return [s, s];
    },
    () => dir,
  );
});
