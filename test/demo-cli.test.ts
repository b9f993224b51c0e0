import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { priceUsage } from '../src/catalog/index.js';

interface DemoJson {
  events: number;
  costUsd: number;
  costNanos: string;
  byTeam: { team: string; costUsd: number; events: number }[];
  byModel: { model: string; costUsd: number; events: number }[];
  topMovers: { app: string }[];
  incidents: { kind: string; start: string; end: string; expected: { extraCostUsd: number } }[];
  costExport: { file: string; rows: number; billedCostUsd: number; listCostUsd: number };
  kpis: { file: string; rows: number };
  from: string;
  to: string;
  chargeback?: {
    period: string;
    totalCostUsd: number;
    rows: { team: string; directCostUsd: number; sharedCostUsd: number; totalCostUsd: number }[];
    unallocatedCostUsd: number;
    balances: boolean;
  };
  reconcile?: {
    period: string;
    meteredCostUsd: number;
    billedCostUsd: number;
    varianceUsd: number;
    explainedUsd: number;
    unexplainedUsd: number;
    explained: { kind: string; amountUsd: number }[];
  };
  unitEconomics?: { period: string; costUsd: number; requests: number; costPerRequestUsd: number | null };
  forecast?: { month: string; p10Usd: number; p50Usd: number; p90Usd: number };
  budgets?: { at: string; rows: { id: string; scope: string; amountUsd: number; spentUsd: number }[] };
  anomalies?: {
    count: number;
    unmatched: number;
    found: number;
    missed: number;
    incidents: { id: string; found: boolean; detectionDelayHours: number | null; match: unknown }[];
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tally-demo-'));
const dbA = join(dir, 'a', 'tally.duckdb');
const dbB = join(dir, 'b', 'tally.duckdb');
// A short, pinned period keeps the suite fast and the totals independent of today's date.
const args = (db: string, seed: string) => [
  'demo',
  '--no-serve',
  '--json',
  '--db',
  db,
  '--days',
  '2',
  '--seed',
  seed,
  '--end',
  '2026-10-15',
];

async function demo(db: string, seed: string): Promise<DemoJson> {
  const r = await runCli(args(db, seed));
  assert.equal(r.code, 0, r.stderr);
  return r.json<DemoJson>();
}

async function withStore<T>(
  db: string,
  fn: (s: Awaited<ReturnType<typeof openStore>>) => Promise<T>,
): Promise<T> {
  const s = await openStore({ path: db, readOnly: true });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const cents = (usd: number) => Math.round(usd * 100);

interface BudgetJson {
  id: string;
  scope: string;
  spentUsd: number;
  basis: string;
  exportThrough: string | null;
  ledgerFilledUsd: number;
}

test('tally demo, re-run and a second seed', async (t) => {
  const first = await demo(dbA, '7');
  const again = await demo(dbA, '7');
  const otherRun = await runCli([...args(dbB, '8'), '--skip-analyses']);
  assert.equal(otherRun.code, 0, otherRun.stderr);
  const other = otherRun.json<DemoJson>();
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  await t.test('prints one JSON object with events, costUsd, byTeam and byModel', () => {
    assert.equal(typeof first.events, 'number');
    assert.ok(first.events > 1000, `only ${first.events} events`);
    assert.equal(typeof first.costUsd, 'number');
    assert.ok(first.costUsd > 0);
    for (const list of [first.byTeam, first.byModel]) {
      assert.ok(Array.isArray(list) && list.length > 0);
      for (const row of list) assert.equal(typeof row.costUsd, 'number');
    }
    assert.ok(first.byTeam.length >= 5, 'at least 5 teams');
  });

  await t.test('the same seed gives the same data and a re-run replaces rather than doubles it', async () => {
    assert.equal(again.events, first.events);
    assert.equal(again.costNanos, first.costNanos);
    assert.deepEqual(again.byTeam, first.byTeam);
    assert.equal(again.costExport.rows, first.costExport.rows);
    await withStore(dbA, async (s) => {
      const [u] = await duckdbSql(s).query(
        'SELECT count(*) AS n, sum(cost_nanos)::VARCHAR AS cost FROM usage_events',
      );
      assert.equal(u?.['n'], first.events);
      assert.equal(u?.['cost'], first.costNanos);
      const [c] = await duckdbSql(s).query('SELECT count(*) AS n FROM cost_rows');
      assert.equal(c?.['n'], first.costExport.rows);
      const [k] = await duckdbSql(s).query('SELECT count(*) AS n FROM business_kpis');
      assert.equal(k?.['n'], first.kpis.rows);
    });
  });

  await t.test('a different seed gives different traffic', () => {
    assert.notEqual(other.costNanos, first.costNanos);
  });

  await t.test('spend by team and by model add up to the total, to the cent', () => {
    // The rows carry full precision (nano-USD as a number), so their sum rounds to the same cent as the total.
    const teams = first.byTeam.reduce((a, r) => a + r.costUsd, 0);
    const models = first.byModel.reduce((a, r) => a + r.costUsd, 0);
    assert.equal(cents(teams), cents(first.costUsd), `${teams} vs ${first.costUsd}`);
    assert.equal(cents(models), cents(first.costUsd));
    assert.equal(Number(BigInt(first.costNanos)) / 1e9, first.costUsd);
    assert.equal(
      first.byTeam.reduce((a, r) => a + r.events, 0),
      first.events,
    );
  });

  await t.test(
    'the analyses are in the JSON next to the contract keys, and --skip-analyses leaves them out',
    () => {
      for (const k of [
        'chargeback',
        'reconcile',
        'unitEconomics',
        'forecast',
        'budgets',
        'anomalies',
      ] as const) {
        assert.ok(first[k] && typeof first[k] === 'object', k);
        assert.equal(other[k], undefined, `${k} with --skip-analyses`);
      }
      assert.ok(Array.isArray(other.byTeam) && other.byTeam.length > 0);
    },
  );

  await t.test(
    'the chargeback rows plus unallocated equal the total, to the cent, as tally chargeback says',
    async () => {
      const cb = first.chargeback!;
      assert.ok(cb.rows.length >= 5 && cb.totalCostUsd > 0);
      assert.equal(cb.balances, true);
      const rows = cb.rows.reduce((a, r) => a + r.totalCostUsd, 0);
      assert.equal(cents(rows + cb.unallocatedCostUsd), cents(cb.totalCostUsd));
      for (const r of cb.rows) assert.equal(cents(r.directCostUsd + r.sharedCostUsd), cents(r.totalCostUsd));
      const r = await runCli(['chargeback', '--db', dbA, '--period', cb.period, '--by', 'team', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const cli = r.json<{ totalCostUsd: number; rows: { team: string; totalCostUsd: number }[] }>();
      assert.equal(cents(cli.totalCostUsd), cents(cb.totalCostUsd));
      assert.deepEqual(
        cli.rows.map((x) => [x.team, cents(x.totalCostUsd)]),
        cb.rows.map((x) => [x.team, cents(x.totalCostUsd)]),
      );
    },
  );

  await t.test('reconciliation explains its variance and unit economics spends the chargeback total', () => {
    const rc = first.reconcile!;
    assert.equal(rc.period, first.chargeback!.period);
    assert.ok(rc.billedCostUsd > 0 && rc.meteredCostUsd > 0);
    assert.equal(cents(rc.varianceUsd), cents(rc.billedCostUsd - rc.meteredCostUsd));
    assert.equal(cents(rc.explainedUsd + rc.unexplainedUsd), cents(rc.varianceUsd));
    const named = rc.explained.reduce((a, e) => a + e.amountUsd, 0);
    assert.equal(cents(named), cents(rc.explainedUsd));
    const ue = first.unitEconomics!;
    assert.equal(cents(ue.costUsd), cents(first.chargeback!.totalCostUsd));
    assert.ok(ue.requests > 0 && ue.costPerRequestUsd !== null);
    assert.ok(Math.abs(ue.costPerRequestUsd * ue.requests - ue.costUsd) < 0.01);
  });

  await t.test('the forecast is of the month after the data, with ordered quantiles', () => {
    const f = first.forecast!;
    assert.equal(f.month, '2026-11');
    assert.ok(f.p10Usd <= f.p50Usd && f.p50Usd <= f.p90Usd && f.p50Usd > 0, JSON.stringify(f));
  });

  await t.test('the demo budgets are in the store, so tally budgets status shows them', async () => {
    const b = first.budgets!;
    const ids = b.rows.map((r) => r.id).sort();
    assert.ok(ids.includes('all:*:month'));
    assert.ok(ids.filter((i) => i.startsWith('team:')).length >= 5, ids.join(' '));
    const r = await runCli(['budgets', 'status', '--db', dbA, '--json', '--at', b.at]);
    assert.equal(r.code, 0, r.stderr);
    const cli = r.json<{ id: string; amountUsd: number; spentUsd: number; crossed: unknown[] }[]>();
    assert.deepEqual(cli.map((x) => x.id).sort(), ids);
    for (const row of b.rows) {
      const c = cli.find((x) => x.id === row.id)!;
      assert.equal(c.amountUsd, row.amountUsd);
      assert.equal(cents(c.spentUsd), cents(row.spentUsd));
      assert.ok(Array.isArray(c.crossed));
    }
  });

  await t.test('every recorded incident is graded as found or missed by the anomaly scan', () => {
    const a = first.anomalies!;
    assert.deepEqual(
      a.incidents.map((i) => i.id).sort(),
      first.incidents.map((i) => (i as unknown as { id: string }).id).sort(),
    );
    assert.equal(a.found + a.missed, first.incidents.length);
    for (const i of a.incidents) {
      assert.equal(typeof i.found, 'boolean');
      if (i.found)
        assert.ok(i.match !== null && i.detectionDelayHours !== null && i.detectionDelayHours >= 0);
      else assert.equal(i.match, null);
    }
    // Two days are less than the spend incidents' 14-day warm-up (only idle capacity can show): detection
    // itself is graded on the 90-day demo (test/anomaly-incidents-demo.test.ts). The grading adds up.
    assert.ok(a.unmatched <= a.count && a.found <= a.count, JSON.stringify(a));
  });

  await t.test('every stored event is priced exactly by the catalog', async () => {
    await withStore(dbA, async (s) => {
      const rows = await duckdbSql(s).query(
        `SELECT model, deployment_type, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                cost_nanos::VARCHAR AS cost, list_cost_nanos::VARCHAR AS list, start_time
         FROM usage_events WHERE http_status = 200 USING SAMPLE 200 ROWS`,
      );
      assert.ok(rows.length > 0);
      for (const r of rows) {
        const p = priceUsage(
          {
            inputTokens: Number(r['input_tokens']),
            cachedInputTokens: Number(r['cached_input_tokens']),
            outputTokens: Number(r['output_tokens']),
            reasoningTokens: Number(r['reasoning_tokens']),
          },
          {
            model: String(r['model']),
            deployment: String(r['deployment_type']),
            provider: 'azure',
            at: new Date(String(r['start_time'])),
          },
          [{ provider: 'azure', percent: 12 }],
        );
        assert.equal(String(r['list']), p.listCostNanos.toString());
        assert.equal(String(r['cost']), p.costNanos.toString());
      }
    });
  });

  await t.test('the four incidents are recorded with their windows inside the period', async () => {
    const stored = await withStore(dbA, (s) => s.getMeta('demo', 'incidents'));
    assert.deepEqual(stored, first.incidents);
    const kinds = first.incidents.map((i) => i.kind).sort();
    assert.deepEqual(kinds, ['idle-fine-tuned-deployment', 'prompt-growth', 'retry-loop', 'team-spike']);
    for (const i of first.incidents) {
      assert.ok(i.start < i.end, `${i.kind} window`);
      assert.ok(i.start >= first.from && i.end <= first.to, `${i.kind} inside the period`);
      assert.ok(i.expected.extraCostUsd > 0, `${i.kind} has a cost`);
    }
  });

  await t.test('the Azure FOCUS export is written, loaded and discounted below list', async () => {
    assert.ok(existsSync(first.costExport.file));
    const text = readFileSync(first.costExport.file, 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines.length - 1, first.costExport.rows);
    for (const col of [
      'BilledCost',
      'EffectiveCost',
      'ListCost',
      'SkuMeter',
      'ChargeCategory',
      'x_SkuMeterCategory',
    ])
      assert.ok(lines[0]!.split(',').includes(col), col);
    assert.match(text, /gpt-4o-mini-0718-Inp-glbl Tokens/);
    assert.match(text, /Provisioned Managed Global Unit/);
    assert.match(text, /Hosting Unit/);
    assert.match(text, /Standard S1 Unit/);
    assert.ok(first.costExport.billedCostUsd < first.costExport.listCostUsd);
    await withStore(dbA, async (s) => {
      const rows = await duckdbSql(s).query(
        `SELECT x_AiDeploymentType AS t, sum("EffectiveCost")::VARCHAR AS eff, sum("ListCost")::VARCHAR AS list
         FROM cost_rows GROUP BY ALL ORDER BY ALL`,
      );
      const types = rows.map((r) => r['t']);
      for (const t of ['provisioned', 'fine-tune-hosting', 'global-standard', 'batch', 'data-zone'])
        assert.ok(types.includes(t), t);
      // One line per day, resource, meter and pricing category, as Azure bills it.
      const dup = await duckdbSql(s).query(
        `SELECT count(*) AS n FROM (SELECT 1 FROM cost_rows
           GROUP BY "ChargePeriodStart", "ResourceId", "SkuMeter", "PricingCategory" HAVING count(*) > 1)`,
      );
      assert.equal(dup[0]?.['n'], 0);
      const gs = rows.find((r) => r['t'] === 'global-standard')!;
      assert.ok(Number(gs['eff']) < Number(gs['list']), 'negotiated discount');
    });
  });

  await t.test('a later tally ingest of the same export leaves the cost rows as they are', async () => {
    const r = await runCli(['ingest', first.costExport.file, '--db', dbA, '--json']);
    assert.equal(r.code, 0, r.stderr);
    await withStore(dbA, async (s) => {
      const [c] = await duckdbSql(s).query('SELECT count(*) AS n FROM cost_rows');
      assert.equal(c?.['n'], first.costExport.rows);
    });
  });

  await t.test('the KPI series is written as date, app, team, metric, value', () => {
    const lines = readFileSync(first.kpis.file, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'date,app,team,metric,value');
    assert.equal(lines.length - 1, first.kpis.rows);
    assert.ok(lines.some((l) => /,revenue,\d+(\.\d+)?$/.test(l)));
  });

  await t.test("every team's budget consumption equals its chargeback for the same month", async () => {
    const at = first.budgets!.at;
    const month = at.slice(0, 7);
    const [budgets, cb] = await Promise.all([
      runCli(['budgets', 'status', '--db', dbA, '--json', '--at', at]),
      runCli(['chargeback', '--db', dbA, '--json', '--period', month]),
    ]);
    assert.equal(budgets.code, 0, budgets.stderr);
    assert.equal(cb.code, 0, cb.stderr);
    const rows = budgets.json<BudgetJson[]>();
    const charge = cb.json<{ totalCostUsd: number; rows: { team: string; totalCostUsd: number }[] }>();
    const teams = rows.filter((r) => r.scope.startsWith('team='));
    assert.ok(teams.length >= 5);
    for (const r of teams) {
      const line = charge.rows.find((l) => `team=${l.team}` === r.scope);
      assert.ok(line, `no chargeback line for ${r.scope}`);
      assert.equal(r.spentUsd, line.totalCostUsd, r.scope);
      assert.equal(r.basis, 'export');
    }
    assert.equal(rows.find((r) => r.scope === 'all')!.spentUsd, charge.totalCostUsd);
  });

  await t.test(
    'days the export has not reached are ledger-priced, shown as such, and chargeback counts them too',
    async () => {
      // The export lags: drop its last day, as if it had not arrived yet.
      const last = new Date(Date.parse(first.to) - 86_400_000).toISOString().slice(0, 10);
      const s = await openStore({ path: dbA });
      try {
        await duckdbSql(s).exec(`DELETE FROM cost_rows WHERE "ChargePeriodStart" >= $1`, [
          new Date(`${last}T00:00:00Z`),
        ]);
      } finally {
        await s.close();
      }
      const at = first.budgets!.at;
      const month = at.slice(0, 7);
      const [budgets, ledger, cb] = await Promise.all([
        runCli(['budgets', 'status', '--db', dbA, '--json', '--at', at]),
        runCli(['budgets', 'status', '--db', dbA, '--json', '--at', at, '--basis', 'ledger']),
        runCli(['chargeback', '--db', dbA, '--json', '--period', month]),
      ]);
      for (const r of [budgets, ledger, cb]) assert.equal(r.code, 0, r.stderr);
      const rows = budgets.json<BudgetJson[]>();
      const charge = cb.json<{
        exportThrough: string;
        ledgerFilledCostUsd: number;
        rows: { team: string; totalCostUsd: number }[];
      }>();
      assert.equal(charge.exportThrough, new Date(Date.parse(last) - 86_400_000).toISOString().slice(0, 10));
      assert.ok(charge.ledgerFilledCostUsd > 0);
      const lastDay = await withStore(dbA, (st) =>
        duckdbSql(st).query(
          `SELECT team, CAST(sum(cost_nanos) AS VARCHAR) AS c FROM usage_events WHERE start_time >= $1 GROUP BY team`,
          [new Date(`${last}T00:00:00Z`)],
        ),
      );
      const all = await withStore(dbA, (st) =>
        duckdbSql(st).query(
          `SELECT team, CAST(sum(cost_nanos) AS VARCHAR) AS c FROM usage_events WHERE start_time >= $1 GROUP BY team`,
          [new Date(`${month}-01T00:00:00Z`)],
        ),
      );
      const ledgerRows = ledger.json<BudgetJson[]>();
      for (const r of rows.filter((x) => x.scope.startsWith('team='))) {
        const team = r.scope.slice(5);
        const line = charge.rows.find((l) => l.team === team);
        assert.equal(r.spentUsd, line?.totalCostUsd ?? 0, r.scope);
        assert.equal(r.exportThrough, charge.exportThrough);
        const filled = lastDay.find((x) => x['team'] === team);
        assert.equal(cents(r.ledgerFilledUsd), cents(filled ? Number(filled['c']) / 1e9 : 0), r.scope);
        // The ledger-only basis is still there when asked for: gateway usage at its own prices.
        const l = ledgerRows.find((x) => x.id === r.id)!;
        assert.equal(l.basis, 'ledger');
        const used = all.find((x) => x['team'] === team);
        assert.equal(cents(l.spentUsd), cents(used ? Number(used['c']) / 1e9 : 0), r.scope);
      }
    },
  );
});

test('tally demo refuses a bad --days', async () => {
  const r = await runCli([
    'demo',
    '--no-serve',
    '--json',
    '--db',
    join(tmpdir(), 'never.duckdb'),
    '--days',
    'zero',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--days/);
});
