import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { insertCostRows, seedStandardOrg, STANDARD_CONFIG, withStore } from './_allocation-fixture.js';

interface ChargebackDoc {
  period: string;
  totalCostUsd: number;
  exportCostUsd: number;
  ledgerOnlyCostUsd: number;
  unallocatedCostUsd: number;
  rows: {
    team?: string;
    app?: string;
    directCostUsd: number;
    sharedCostUsd: number;
    totalCostUsd: number;
    previousTotalCostUsd: number | null;
  }[];
}

const cents = (x: number) => Math.round(x * 100);

async function setup(config = STANDARD_CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), 'tally-alloc-'));
  const db = join(dir, 't.duckdb');
  const cfg = join(dir, 'tally.yaml');
  writeFileSync(cfg, config);
  await withStore(db, seedStandardOrg);
  return { dir, db, cfg, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('chargeback --json by team balances to the cent and prices direct tokens at the export effective cost', async () => {
  const f = await setup();
  try {
    const r = await runCli([
      'chargeback',
      '--db',
      f.db,
      '--config',
      f.cfg,
      '--period',
      '2026-01',
      '--by',
      'team',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<ChargebackDoc>();
    assert.equal(doc.period, '2026-01');
    // Contract: sum(rows.totalCostUsd) + unallocatedCostUsd == totalCostUsd, to the cent.
    const sum = doc.rows.reduce((a, x) => a + x.totalCostUsd, 0) + doc.unallocatedCostUsd;
    assert.equal(cents(sum), cents(doc.totalCostUsd));
    for (const row of doc.rows)
      assert.equal(cents(row.directCostUsd + row.sharedCostUsd), cents(row.totalCostUsd));
    // AI spend in the export for January: 8 + 6 + 100 (PTU) + 50 (search) + 7 (shadow); not the VM, not February.
    assert.equal(cents(doc.exportCostUsd), cents(8 + 6 + 100 + 50 + 7));
    assert.equal(cents(doc.ledgerOnlyCostUsd), 250);
    const by = Object.fromEntries(doc.rows.map((x) => [x.team, x]));
    // Input $8 split 3M:1M uncached input tokens, output $6 split 0.5M:0.5M -> search 6+3, support 2+3.
    assert.equal(cents(by['search']!.directCostUsd), 900);
    assert.equal(cents(by['support']!.directCostUsd), 500);
    // PTU $100 by input-equivalent tokens (input + 4 x output): search 3M+1M, support 1M+1M -> 2/3 : 1/3,
    // plus AI Search $50 at 70/30.
    assert.equal(cents(by['search']!.sharedCostUsd), cents(100 * (4 / 6) + 35));
    assert.equal(cents(by['support']!.sharedCostUsd), cents(100 * (2 / 6) + 15));
    assert.equal(cents(by['research']!.totalCostUsd), 250);
    // The deployment no gateway traffic touched stays unallocated.
    assert.equal(cents(doc.unallocatedCostUsd), 700);
  } finally {
    f.done();
  }
});

test('without allocation rules PTU still follows token share and unmatched search cost stays unallocated', async () => {
  const f = await setup('version: 1\n');
  try {
    const r = await runCli(['chargeback', '--db', f.db, '--config', f.cfg, '--period', '2026-01', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<ChargebackDoc>();
    assert.equal(cents(doc.unallocatedCostUsd), 700 + 5000);
    const sum = doc.rows.reduce((a, x) => a + x.totalCostUsd, 0) + doc.unallocatedCostUsd;
    assert.equal(cents(sum), cents(doc.totalCostUsd));
  } finally {
    f.done();
  }
});

test('chargeback --by app cuts the same total by app and --csv neutralises spreadsheet formulas', async () => {
  const f = await setup(STANDARD_CONFIG.replace('shared-platform', '=HYPERLINK("http://x")'));
  try {
    const app = await runCli([
      'chargeback',
      '--db',
      f.db,
      '--config',
      f.cfg,
      '--period',
      '2026-01',
      '--by',
      'app',
      '--json',
    ]);
    assert.equal(app.code, 0, app.stderr);
    const doc = app.json<ChargebackDoc>();
    assert.deepEqual(doc.rows.map((x) => x.app).sort(), ['helpdesk', 'lab', 'search-app']);
    const out = join(f.dir, 'cb.csv');
    const csv = await runCli([
      'chargeback',
      '--db',
      f.db,
      '--config',
      f.cfg,
      '--period',
      '2026-01',
      '--csv',
      '--out',
      out,
    ]);
    assert.equal(csv.code, 0, csv.stderr);
    const text = readFileSync(out, 'utf8');
    const lines = text.trim().split(/\r\n/);
    assert.equal(lines[0]!.split(',')[0], 'team');
    const last = lines[lines.length - 1]!;
    assert.ok(last.startsWith(`"'=HYPERLINK`), last);
    assert.ok(!lines.some((l) => /^[=+@]/.test(l)), text);
  } finally {
    f.done();
  }
});

test('chargeback compares with the previous period', async () => {
  const f = await setup();
  try {
    const r = await runCli(['chargeback', '--db', f.db, '--config', f.cfg, '--period', '2026-01', '--json']);
    const doc = r.json<ChargebackDoc & { previousTotalCostUsd: number }>();
    assert.equal(cents(doc.previousTotalCostUsd), 400);
    assert.equal(cents(doc.rows.find((x) => x.team === 'search')!.previousTotalCostUsd ?? NaN), 400);
  } finally {
    f.done();
  }
});

test('chargeback refuses a malformed period and an unknown dimension', async () => {
  const f = await setup();
  try {
    const bad = await runCli(['chargeback', '--db', f.db, '--period', '2026-13-01', '--json']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /YYYY-MM/);
    const dim = await runCli(['chargeback', '--db', f.db, '--period', '2026-01', '--by', 'planet']);
    assert.notEqual(dim.code, 0);
    assert.match(dim.stderr, /team, cost-center, app, environment/);
  } finally {
    f.done();
  }
});

test('a rule can match a resource tag and a list of values; a bad rule names the column', async () => {
  const f = await setup(
    [
      'allocation:',
      '  rules:',
      '    - { match: { "Tags.owner": Research, x_AiService: [speech, vision] }, by: even, consumers: [search, support] }',
      '    - { match: { x_AiDeploymentType: provisioned }, by: tokens }',
    ].join('\n'),
  );
  try {
    await withStore(f.db, (s) =>
      insertCostRows(s, [
        {
          ChargePeriodStart: '2026-01-12T00:00:00Z',
          x_AiService: 'speech',
          ResourceName: 'speech-1',
          EffectiveCost: '9',
          Tags: '{"owner":"research"}',
        },
        {
          ChargePeriodStart: '2026-01-12T00:00:00Z',
          x_AiService: 'speech',
          ResourceName: 'speech-2',
          EffectiveCost: '1',
          Tags: '{"owner":"other"}',
        },
      ]),
    );
    const r = await runCli(['chargeback', '--db', f.db, '--config', f.cfg, '--period', '2026-01', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<ChargebackDoc>();
    const by = Object.fromEntries(doc.rows.map((x) => [x.team, x]));
    // PTU 100 by tokens (2/3 : 1/3) plus the research-tagged speech $9 evenly; speech-2 ($1), search ($50) and
    // shadow ($7) stay unallocated.
    assert.equal(cents(by['search']!.sharedCostUsd), cents(100 * (4 / 6) + 4.5));
    assert.equal(cents(by['support']!.sharedCostUsd), cents(100 * (2 / 6) + 4.5));
    assert.equal(cents(doc.unallocatedCostUsd), 100 + 5000 + 700);
    writeFileSync(f.cfg, 'allocation:\n  rules:\n    - { match: { Nope: x }, by: tokens }\n');
    const bad = await runCli(['chargeback', '--db', f.db, '--config', f.cfg, '--period', '2026-01']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown match column "Nope"/);
  } finally {
    f.done();
  }
});
