/**
 * `tally demo`, `ingest` and `recommend` on a PostgreSQL store (issue 12's contract): the demo built with
 * `--db postgres://…` prints the same totals as the same demo on DuckDB, chargeback, reconcile, budgets status
 * and recommend answer alike for the demo month, and ingest on PostgreSQL is idempotent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { LINES, focusCsv, usdText, type CostRow } from './ingest-fixtures.js';
import { startPostgres, skipWithoutPostgres, type PgCluster } from './postgres-cluster.js';

// Ten days keep the suite quick; the period straddles a month end so the demo month is partly covered.
const DEMO = ['--days', '10', '--seed', '7', '--end', '2026-11-06', '--json'];
const MONTH = '2026-10';

type Json = Record<string, unknown>;

/** The demo's JSON without what legitimately differs between two stores: file paths and timings. */
function comparable(j: Json): Json {
  const {
    analysisTimingsMs: _t,
    costExport,
    kpis,
    ...rest
  } = j as Json & {
    costExport: Json;
    kpis: Json;
  };
  return { ...rest, costExport: { ...costExport, file: null }, kpis: { ...kpis, file: null } };
}

describe('the demo, reports and ingest on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let dir: string;
  let duck: string;
  let pg: string;
  let demoDuck: Json;
  let demoPg: Json;
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'tally-pgdemo-'));
    duck = join(dir, 'duck', 'tally.duckdb');
    pg = await cluster.database();
    const a = await runCli(['demo', '--db', duck, ...DEMO], { cwd: dir, timeoutMs: 600_000 });
    assert.equal(a.code, 0, a.stderr);
    demoDuck = a.json<Json>();
    const b = await runCli(['demo', '--db', pg, ...DEMO], { cwd: dir, timeoutMs: 600_000 });
    assert.equal(b.code, 0, b.stderr);
    demoPg = b.json<Json>();
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const both = async (args: string[]) => {
    const out: Json[] = [];
    for (const db of [duck, pg]) {
      const r = await runCli([...args, '--db', db, '--json'], { cwd: dir });
      assert.equal(r.code, 0, `${args.join(' ')} on ${db}: ${r.stderr}`);
      out.push(r.json<Json>());
    }
    return out as [Json, Json];
  };

  test('tally demo --db postgres://… --json prints the same totals and analyses as on DuckDB', () => {
    assert.ok(Number(demoPg['events']) > 10_000, `${String(demoPg['events'])} events`);
    assert.ok((demoPg['costExport'] as { rows: number }).rows > 100);
    assert.deepEqual(comparable(demoPg), comparable(demoDuck));
  });

  test('chargeback, reconcile and budgets status for the demo month are identical on both backends', async () => {
    for (const args of [
      ['chargeback', '--period', MONTH],
      ['reconcile', '--period', MONTH],
      ['budgets', 'status', '--at', '2026-11-05'],
    ]) {
      const [a, b] = await both(args);
      assert.deepEqual(b, a, args.join(' '));
    }
  });

  test('recommend on PostgreSQL finds the same kinds and savings as on DuckDB, and its evidence SQL runs in tally sql there', async () => {
    const [a, b] = await both(['recommend', '--period', MONTH]);
    const recs = (j: Json) =>
      (j['recommendations'] as { id: string; kind: string; monthlySavingsUsd: string }[]).map((r) => [
        r.id,
        r.kind,
        r.monthlySavingsUsd,
      ]);
    assert.ok(recs(b).length > 0, 'the demo month has recommendations');
    assert.deepEqual(recs(b), recs(a));
    assert.deepEqual(b, a);
    const sqls =
      JSON.stringify(b).match(/SELECT [^"]*(?:\\"[^"]*)*FROM (?:usage_events|cost_rows)[^"]*/g) ?? [];
    assert.ok(sqls.length > 0, 'the evidence carries SQL');
    const sql = JSON.parse(`"${sqls[0]!}"`) as string;
    const r = await runCli(['sql', sql, '--db', pg, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  });

  test('ingest on PostgreSQL: the same file again changes nothing, a newer month-to-date export replaces its slice, and a failed run stores nothing', async () => {
    const url = await cluster.database();
    const file = join(dir, 'jan.csv');
    writeFileSync(file, focusCsv(LINES, { month: '2026-01' }));
    const totals = async () =>
      (
        await runCli(
          [
            'sql',
            'SELECT count(*) AS n, CAST(sum("BilledCost") AS VARCHAR) AS billed FROM cost_rows',
            '--db',
            url,
            '--json',
          ],
          {
            cwd: dir,
          },
        )
      ).json<{ n: number; billed: string | null }[]>()[0]!;
    const first = await runCli(['ingest', file, '--db', url, '--json'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.json<{ rowsLoaded: number }>().rowsLoaded, LINES.length);
    const once = await totals();
    assert.equal(once.n, LINES.length);
    const again = await runCli(['ingest', file, '--db', url, '--json'], { cwd: dir });
    assert.equal(again.json<{ files: { status: string }[] }>().files[0]?.status, 'unchanged');
    assert.deepEqual(await totals(), once);

    const newer = join(dir, 'jan-later.csv');
    writeFileSync(newer, focusCsv(LINES, { month: '2026-01', scale: 2 }));
    const r = await runCli(['ingest', newer, '--db', url, '--json'], { cwd: dir });
    assert.equal(r.json<{ rowsReplaced: number }>().rowsReplaced, LINES.length);
    const costs = (
      await runCli(
        [
          'costs',
          '--db',
          url,
          '--by',
          'BillingCurrency',
          '--from',
          '2026-01-01',
          '--to',
          '2026-02-01',
          '--json',
        ],
        {
          cwd: dir,
        },
      )
    ).json<CostRow[]>();
    assert.equal(costs[0]?.billedCost, usdText(LINES.map((l) => String(Number(l.billed) * 2))));

    const before = await totals();
    const good = join(dir, 'feb.csv');
    writeFileSync(good, focusCsv(LINES, { month: '2026-02' }));
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'foo,bar\n1,2\n');
    assert.notEqual((await runCli(['ingest', good, bad, '--db', url, '--json'], { cwd: dir })).code, 0);
    assert.deepEqual(await totals(), before);
  });
});
