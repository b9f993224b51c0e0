/** `tally store copy`: a DuckDB file moved to PostgreSQL and back keeps every row of every table. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeUsageEvent, openDuckDBStore, type SqlStore, type CopySummary } from '../src/store/index.js';
import { runCli } from './cli.js';
import { startPostgres, skipWithoutPostgres, type PgCluster } from './postgres-cluster.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

/** One of everything: ledger events, cost rows, a key, a budget, a user with a session, audit, incidents, kv. */
async function seed(s: SqlStore): Promise<void> {
  await s.appendUsage(
    Array.from({ length: 2500 }, (_, i) =>
      makeUsageEvent({
        id: `e${i}`,
        startTime: T0 + (i % 20) * DAY + i,
        model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
        team: i % 3 ? 'search' : "o'brien\ttab",
        tags: { conversation_id: `c${i % 9}` },
        ttftMs: i % 2 ? 12 : null,
        inputTokens: i,
        costNanos: 333_333_333n + BigInt(i),
        listCostNanos: 1n,
      }),
    ),
  );
  for (let i = 0; i < 30; i++)
    await s.exec(
      `INSERT INTO cost_rows (_row_id, _source_file, _source_line, "ChargePeriodStart", "BilledCost", "ListUnitPrice", "Tags", "x_AiModel")
       VALUES ($1, 'a.csv', $2, $3, CAST($4 AS DECIMAL(38,10)), CAST($5 AS DECIMAL(38,16)), $6, 'gpt-4o')`,
      [
        `r${i}`,
        i,
        new Date(T0 + i * DAY),
        `0.${String(i).padStart(10, '0')}`,
        '0.0000000025000001',
        '{"team":"search"}',
      ],
    );
  await s.insertKey({
    id: 'k1',
    keyHash: 'h1',
    keyPrefix: 'tk-1',
    team: 'search',
    app: null,
    environment: 'prod',
    costCenter: null,
    tags: { a: 'b' },
    config: { tpm: 5 },
    status: 'active',
    createdAt: new Date(T0),
    revokedAt: null,
    replacedBy: null,
  });
  await s.saveBudget({
    id: 'b1',
    scope: 'team',
    value: 'search',
    period: 'month',
    amountNanos: 123_456_789_012n,
    thresholds: [0.8],
    hard: false,
    startsAt: null,
    endsAt: null,
    createdAt: new Date(T0).toISOString(),
  });
  await s.insertKpis([
    { day: '2026-03-02', app: 'x', team: null, metric: 'm', value: '1.000001', source: 'k' },
  ]);
  await s.insertUser({
    id: 'u1',
    name: 'Ana',
    role: 'admin',
    teams: [],
    tokenHash: 'th',
    tokenPrefix: 'tt',
    status: 'active',
    createdAt: new Date(T0),
    revokedAt: null,
  });
  await s.insertSession({
    idHash: 's1',
    userId: 'u1',
    csrfToken: 'c',
    createdAt: new Date(T0),
    expiresAt: new Date(T0 + DAY),
  });
  await s.appendAudit({
    at: new Date(T0),
    actor: 'cli:ana',
    action: 'budgets set',
    target: 'b1',
    details: { x: 1 },
  });
  await s.setIncidentState({
    id: 'i1',
    state: 'acknowledged',
    changedBy: 'u1',
    changedAt: new Date(T0),
    note: 'ok',
  });
  await s.setMeta('ns', 'k', { deep: [1, 'two'] });
}

/** Every table's rows as sorted text: what must survive the round trip. */
async function dump(path: string): Promise<Record<string, string[]>> {
  const s = await openDuckDBStore({ path, readOnly: true });
  try {
    const out: Record<string, string[]> = {};
    const tables = [
      'usage_events',
      'cost_rows',
      'ingests',
      'virtual_keys',
      'budgets',
      'kv',
      'business_kpis',
      'users',
      'sessions',
      'audit_log',
      'incident_states',
    ];
    for (const t of tables) {
      const rows = await s.query(`SELECT * FROM ${t}`);
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    await s.close();
  }
}

describe('tally store copy', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let dir: string;
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'tally-copy-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a DuckDB store copied to PostgreSQL and back to a new file keeps every row and every total', async () => {
    const a = join(dir, 'a.duckdb');
    const b = join(dir, 'b.duckdb');
    const s = await openDuckDBStore({ path: a });
    await seed(s);
    await s.close();
    const pg = await cluster.database();

    const there = await runCli(['store', 'copy', '--from', a, '--to', pg, '--json'], { cwd: dir });
    assert.equal(there.code, 0, there.stderr);
    const sum = there.json<CopySummary>();
    assert.equal(sum.ok, true);
    const usage = sum.tables.find((t) => t.table === 'usage_events');
    assert.equal(usage?.targetRows, 2500);
    assert.equal(usage?.totals['cost_nanos']?.target, String(333_333_333n * 2500n + (2499n * 2500n) / 2n));
    assert.equal(sum.tables.find((t) => t.table === 'cost_rows')?.targetRows, 30);
    assert.match(there.stderr, /usage_events: 2,500 rows/);

    const back = await runCli(['store', 'copy', '--from', pg, '--to', b, '--json'], { cwd: dir });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.json<CopySummary>().ok, true);
    assert.deepEqual(await dump(b), await dump(a));
  });

  test('a target that already holds data is refused unless --replace is given', async () => {
    const a = join(dir, 'c.duckdb');
    const s = await openDuckDBStore({ path: a });
    await seed(s);
    await s.close();
    const pg = await cluster.database();
    assert.equal((await runCli(['store', 'copy', '--from', a, '--to', pg], { cwd: dir })).code, 0);
    const again = await runCli(['store', 'copy', '--from', a, '--to', pg, '--json'], { cwd: dir });
    assert.equal(again.code, 1);
    assert.match(again.stdout, /already holds data/);
    const replaced = await runCli(['store', 'copy', '--from', a, '--to', pg, '--replace', '--json'], {
      cwd: dir,
    });
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(
      replaced.json<CopySummary>().tables.find((t) => t.table === 'usage_events')?.targetRows,
      2500,
    );
  });
});
