/**
 * Self-hosted deployments priced from their declared hourly cost (ADR 0026), end to end through the CLI: the
 * usage report and chargeback carry each team's share of the hours it used and the idle hours' cost, exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatUsd, parseUsd } from '../src/core/index.js';
import { openStore } from '../src/store/index.js';
import { ev, reproduce, type LooseRecommendation } from './_savings-reproduce.js';
import { makeUsageEvent } from '../src/ledger/index.js';
import { runCli } from './cli.js';
import { inTempDir, withStore } from './_allocation-fixture.js';

const CONFIG = `
gateway:
  upstreams:
    - name: gpu-box
      kind: openai-compatible
      baseUrl: http://10.0.0.5:8000/v1
      region: swedencentral
      deployments:
        - name: llama
          model: llama-3.1-70b
          hosting:
            hourlyCostUsd: "12.34"
            since: "2026-11-01"
            until: "2026-11-02"
            gpus: { count: 4, type: H100 }
`;

const at = (h: number, m = 0) => Date.parse('2026-11-01T00:00:00Z') + h * 3_600_000 + m * 60_000;
let n = 0;
const event = (team: string, startTime: number, input: number, output: number, environment = 'prod') =>
  makeUsageEvent({
    id: `sh${++n}`,
    startTime,
    model: 'llama-3.1-70b',
    team,
    environment,
    provider: 'openai-compatible',
    upstream: 'gpu-box',
    deployment: 'llama',
    region: 'swedencentral',
    inputTokens: input,
    outputTokens: output,
  });

async function seed(db: string): Promise<void> {
  await withStore(db, async (s) => {
    await s.appendUsage([
      // Hour 2: search weight 1,000 + 4 × 500 = 3,000; support 1,000 (3/4 and 1/4 of $12.34).
      event('search', at(2, 5), 1000, 500),
      event('support', at(2, 40), 1000, 0),
      // Hour 9: support alone.
      event('support', at(9, 1), 200, 50),
      // A priced request on another deployment, and one after `until` (billed nothing).
      makeUsageEvent({
        id: 'api-1',
        startTime: at(3),
        model: 'gpt-4o',
        team: 'search',
        deployment: 'gpt4o',
        costNanos: parseUsd('0.25'),
        listCostNanos: parseUsd('0.25'),
      }),
      event('search', at(30), 5000, 5000),
    ]);
  });
}

/** Writes the config, seeds a fresh store in dir and runs one CLI command on them. */
async function seededRun(dir: string, command: string, args: readonly string[]) {
  const db = join(dir, 't.duckdb');
  const cfg = join(dir, 'tally.yaml');
  writeFileSync(cfg, CONFIG);
  await seed(db);
  const r = await runCli([command, '--db', db, '--config', cfg, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return { db, cfg, r };
}

test('usage prices self-hosted tokens from the hours they used and shows the idle hours as their own rows', async () => {
  await inTempDir('tally-selfhost-', async (dir) => {
    const { db, cfg, r } = await seededRun(dir, 'usage', [
      '--by',
      'team',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-03',
      '--json',
    ]);
    const rows = JSON.parse(r.stdout) as Record<string, number | string | null>[];
    const team = (t: string | null, idle = false) =>
      rows.find((x) => x['team'] === t && (x['idleHours'] === 0) !== idle)!;
    const hourly = parseUsd('12.34');
    // search: 3/4 of hour 2 plus its $0.25 API call; support: 1/4 of hour 2 and all of hour 9.
    assert.equal(parseUsd(String(team('search')['hostingCostUsd'])), (hourly * 3n) / 4n);
    assert.equal(parseUsd(String(team('search')['costUsd'])), (hourly * 3n) / 4n + parseUsd('0.25'));
    assert.equal(parseUsd(String(team('support')['hostingCostUsd'])), hourly / 4n + hourly);
    const idle = team(null, true);
    assert.equal(idle['idleHours'], 22);
    assert.equal(idle['requests'], 0);
    assert.equal(parseUsd(String(idle['costUsd'])), 22n * hourly);
    // Every hour from since to until is in the report once: 24 × $12.34 + $0.25.
    const total = rows.reduce((s, x) => s + parseUsd(String(x['costUsd'])), 0n);
    assert.equal(total, 24n * hourly + parseUsd('0.25'));

    const byDay = await runCli([
      'usage',
      '--db',
      db,
      '--config',
      cfg,
      '--by',
      'deployment,day',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-03',
      '--json',
    ]);
    const dayRows = JSON.parse(byDay.stdout) as Record<string, number | string | null>[];
    const llamaDay2 = dayRows.filter((x) => x['deployment'] === 'llama' && x['day'] === '2026-11-02');
    // The request after `until` is metered but costs nothing, and no idle hour falls after it.
    assert.equal(llamaDay2.length, 1);
    assert.equal(llamaDay2[0]!['costUsd'], 0);
  });
});

test('chargeback charges each team its share of the self-hosted hours and leaves the idle hours unallocated', async () => {
  await inTempDir('tally-selfhost-', async (dir) => {
    const { r } = await seededRun(dir, 'chargeback', ['--period', '2026-11', '--by', 'team', '--json']);
    const doc = JSON.parse(r.stdout) as {
      totalCostUsd: number;
      unallocatedCostUsd: number;
      rows: { team?: string; totalCostUsd: number }[];
    };
    // Chargeback prints dollars rounded to the cent: each figure is within half a cent of the exact one.
    const near = (x: number, exact: number) =>
      assert.ok(Math.abs(x - exact) <= 0.005 + 1e-9, `${x} vs ${exact}`);
    const hourly = 12.34;
    near(doc.totalCostUsd, 24 * hourly + 0.25);
    near(doc.unallocatedCostUsd, 22 * hourly);
    near(doc.rows.find((x) => x.team === 'search')!.totalCostUsd, 0.75 * hourly + 0.25);
    near(doc.rows.find((x) => x.team === 'support')!.totalCostUsd, 1.25 * hourly);
  });
});

test('carbon measures a self-hosted deployment from its GPU hours instead of per-token estimates, and names the method', async () => {
  await inTempDir('tally-selfhost-', async (dir) => {
    const { r } = await seededRun(dir, 'carbon', ['--period', '2026-11', '--by', 'team', '--json']);
    const doc = JSON.parse(r.stdout) as {
      rows: {
        team: string;
        energyWh: { low: number; high: number };
        gpuHoursEnergyWh: number;
        co2eGrams: { low: number };
      }[];
      total: { energyWh: { high: number } };
      idle: { deployment: string; hours: number; energyWh: number }[];
      method: {
        selfHosted: {
          name: string;
          deployments: { deployment: string; watts: number; powerSource: string }[];
        };
      };
    };
    // 4 H100 × (700 W + 125 W host share) × PUE 1.2 = 3,960 Wh an hour, split like the cost.
    const support = doc.rows.find((x) => x.team === 'support')!;
    assert.equal(support.gpuHoursEnergyWh, 0.25 * 3960 + 3960);
    assert.equal(support.energyWh.low, support.energyWh.high);
    // swedencentral's grid: 5.67 g/kWh (CCF).
    assert.ok(Math.abs(support.co2eGrams.low - (4950 / 1000) * 5.67) < 0.01);
    const search = doc.rows.find((x) => x.team === 'search')!;
    // 3/4 of hour 2 measured, plus the EcoLogits range of its gpt-4o call (no output tokens: 0) and of the
    // request after `until` (5,000 output tokens, outside the running hours: estimated per token).
    assert.equal(search.gpuHoursEnergyWh, 0.75 * 3960);
    assert.ok(search.energyWh.high > search.energyWh.low);
    assert.deepEqual(
      doc.idle.map((i) => [i.deployment, i.hours, i.energyWh]),
      [['gpu-box/llama', 22, 22 * 3960]],
    );
    const rowsHigh = doc.rows.reduce((s, x) => s + x.energyWh.high, 0);
    assert.ok(Math.abs(doc.total.energyWh.high - (rowsHigh + 22 * 3960)) < 0.01);
    assert.equal(doc.method.selfHosted.name, 'measured-gpu-hours');
    assert.deepEqual(
      doc.method.selfHosted.deployments.map((d) => [d.deployment, d.watts, d.powerSource]),
      [['gpu-box/llama', 3300, 'gpu-type']],
    );
  });
});

test('recommend flags a self-hosted deployment idle most of its hours, reproducible from its evidence', async () => {
  await inTempDir('tally-selfhost-', async (dir) => {
    const { db, r } = await seededRun(dir, 'recommend', ['--period', '2026-11', '--json']);
    const doc = JSON.parse(r.stdout) as {
      recommendations: (LooseRecommendation & { id: string; monthlySavingsUsd: string })[];
    };
    const rec = doc.recommendations.find((x) => x.id === 'idle-deployment:self-hosted:gpu-box/llama')!;
    assert.ok(rec, doc.recommendations.map((x) => x.id).join(', '));
    const e = ev(rec);
    assert.deepEqual([e.figures['hours'], e.figures['activeHours'], e.figures['idleHours']], [24, 2, 22]);
    assert.equal(formatUsd(reproduce(rec)), rec.monthlySavingsUsd);
    // The evidence SQL, run as printed, counts the same active hours.
    const store = await openStore({ path: db, readOnly: true });
    try {
      const [row] = await store.readOnlySql(e.sql[0]!);
      assert.equal(Number(row!['active_hours']), 2);
    } finally {
      await store.close();
    }
  });
});
