import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from './cli.js';
import { makeSpendStore } from './_spend-fixture.js';

interface Status {
  scope: string;
  amountUsd: number;
  spentUsd: number;
  forecastUsd: number;
  forecastP10Usd: number;
  forecastP90Usd: number;
  crossed: { type: string; percent: number }[];
  hard: boolean;
}

test('budgets set then budgets status reports spend, forecast with interval and crossed thresholds', async () => {
  const db = await makeSpendStore({ days: 40, start: '2026-01-01' });
  const set = await runCli([
    'budgets',
    'set',
    '--db',
    db,
    '--scope',
    'team',
    '--value',
    'search',
    '--amount',
    '500',
  ]);
  assert.equal(set.code, 0, set.stderr);
  const cfg = join(dirname(db), 'tally.yaml');
  writeFileSync(
    cfg,
    'budgets:\n  - scope: all\n    amountUsd: 100\n    actual: [50, 80, 100]\n    hard: true\n',
  );
  const r = await runCli([
    'budgets',
    'status',
    '--db',
    db,
    '--config',
    cfg,
    '--at',
    '2026-02-10T00:00:00Z',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const budgets = r.json<Status[]>();
  assert.ok(Array.isArray(budgets), 'budgets status --json prints rows');
  const sql = await runCli([
    'sql',
    '--db',
    db,
    '--json',
    "SELECT CAST(sum(cost_nanos) AS VARCHAR) AS n, team FROM usage_events WHERE start_time >= '2026-02-01' GROUP BY team",
  ]);
  const spent = Object.fromEntries(
    sql.json<{ n: string; team: string }[]>().map((x) => [x.team, Number(x.n) / 1e9]),
  );
  const team = budgets.find((b) => b.scope === 'team=search')!;
  assert.equal(team.amountUsd, 500);
  assert.equal(team.spentUsd, spent['search']);
  // 19 more days at roughly the same daily rate: the month ends well above spend so far, and above $500.
  assert.ok(team.forecastUsd > team.spentUsd * 2.5, JSON.stringify(team));
  assert.ok(team.forecastP10Usd <= team.forecastUsd && team.forecastUsd <= team.forecastP90Usd);
  assert.deepEqual(
    team.crossed.map((c) => `${c.type}:${c.percent}`),
    team.spentUsd >= 250 ? ['actual:50', 'forecast:100'] : ['forecast:100'],
  );
  const all = budgets.find((b) => b.scope === 'all')!;
  assert.equal(all.spentUsd, (spent['search'] ?? 0) + (spent['support'] ?? 0));
  assert.ok(all.hard);
  assert.deepEqual(
    all.crossed.filter((c) => c.type === 'actual').map((c) => c.percent),
    [50, 80, 100],
  );
});

test('budgets set rejects a scope without a value and a non-positive amount', async () => {
  const db = await makeSpendStore({ days: 1, start: '2026-01-01' });
  const a = await runCli(['budgets', 'set', '--db', db, '--scope', 'team', '--amount', '10']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--value/);
  const b = await runCli(['budgets', 'set', '--db', db, '--amount', '-5']);
  assert.equal(b.code, 2);
});
