import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { inTempDir, seedStandardOrg, withStore } from './_allocation-fixture.js';

interface Status {
  id: string;
  spentUsd: number;
  basis: string;
  currency: string;
}

// Exact expectations computed here: USD nanos -> EUR at EUR->USD 1.25 (x 100/125), half to even.
const nanos = (usd: number) => BigInt(Math.round(usd * 1e9));
const halfEven = (num: bigint, den: bigint) => {
  const q = num / den;
  const twice = (num % den) * 2n;
  return twice > den || (twice === den && q % 2n === 1n) ? q + 1n : q;
};
const toEur = (usd: bigint) => halfEven(usd * 100n, 125n);

const BUDGETS = `budgets:
  - { name: search, scope: team, value: search, amountUsd: 1000 }
  - { name: gpt41, scope: model, value: gpt-4.1, amountUsd: 1000 }
`;

async function org(dir: string) {
  const db = join(dir, 't.duckdb');
  await withStore(db, seedStandardOrg);
  const config = (name: string, yaml: string) => {
    const p = join(dir, name);
    writeFileSync(p, yaml);
    return p;
  };
  const status = (cfg: string, ...more: string[]) =>
    runCli(['budgets', 'status', '--db', db, '--config', cfg, '--at', '2026-01-20', '--json', ...more]);
  const usd = async () => {
    const r = await runCli([
      'usage',
      '--db',
      db,
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-20',
      '--by',
      'team,model',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.json<{ team: string; model: string; costUsd: number }[]>();
  };
  return { db, config, status, usd };
}

test('--basis ledger budgets are in the reporting currency, each month of ledger USD converted like the rest', async () => {
  await inTempDir('tally-budget-cur-', async (dir) => {
    const { config, status, usd } = await org(dir);
    const rates = config('rates.csv', 'date,from,to,rate\n2025-12-01,EUR,USD,1.25\n');
    const eur = config('eur.yaml', `reporting:\n  currency: EUR\n  ratesFile: ${rates}\n${BUDGETS}`);
    const usdCfg = config('usd.yaml', BUDGETS);
    const ledger = await usd();
    const sum = (keep: (r: { team: string; model: string }) => boolean) =>
      ledger.filter(keep).reduce((a, r) => a + nanos(r.costUsd), 0n);
    const searchUsd = sum((r) => r.team === 'search');
    const gpt41Usd = sum((r) => r.model === 'gpt-4.1');
    assert.ok(searchUsd > 0n && gpt41Usd > 0n);

    const inUsd = await status(usdCfg, '--basis', 'ledger');
    assert.equal(inUsd.code, 0, inUsd.stderr);
    const u = inUsd.json<Status[]>();
    assert.equal(nanos(u.find((b) => b.id === 'search')!.spentUsd), searchUsd);
    assert.equal(nanos(u.find((b) => b.id === 'gpt41')!.spentUsd), gpt41Usd);
    assert.ok(u.every((b) => b.currency === 'USD'));

    for (const basis of [['--basis', 'ledger'], []]) {
      const r = await status(eur, ...basis);
      assert.equal(r.code, 0, r.stderr);
      const e = r.json<Status[]>();
      assert.ok(
        e.every((b) => b.currency === 'EUR'),
        'each row says its currency',
      );
      // A model budget reads the ledger on either basis: converted too, never USD under a EUR label.
      assert.equal(nanos(e.find((b) => b.id === 'gpt41')!.spentUsd), toEur(gpt41Usd), basis.join(' '));
      if (basis.length)
        assert.equal(
          nanos(e.find((b) => b.id === 'search')!.spentUsd),
          toEur(searchUsd),
          'team, ledger basis',
        );
    }
    const text = await runCli([
      'budgets',
      'status',
      '--db',
      join(dir, 't.duckdb'),
      '--config',
      eur,
      '--at',
      '2026-01-20',
      '--basis',
      'ledger',
    ]);
    assert.match(text.stdout, /currency: EUR/);
  });
});

test('a --basis ledger budget in a currency with no rate refuses, naming the pair, instead of showing dollars', async () => {
  await inTempDir('tally-budget-cur-', async (dir) => {
    const { config, status } = await org(dir);
    const rates = config('rates.csv', 'date,from,to,rate\n2025-12-01,GBP,USD,1.3\n');
    for (const budget of ['search', 'gpt41']) {
      const only = config(
        `${budget}.yaml`,
        `reporting:\n  currency: EUR\n  ratesFile: ${rates}\nbudgets:\n  - ${BUDGETS.split('\n  - ')[budget === 'search' ? 1 : 2]!.trim()}\n`,
      );
      const r = await status(only, '--basis', 'ledger');
      assert.notEqual(r.code, 0, budget);
      assert.match(r.stdout + r.stderr, /"code":"conflict"/, budget);
      assert.match(r.stderr, /no exchange rate USD→EUR on or before 202\d-\d\d-01/, budget);
    }
  });
});
