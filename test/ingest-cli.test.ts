import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { LINES, focusCsv, usdText, type CostRow } from './ingest-fixtures.js';
import { parseUsd } from '../src/core/index.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-ingest-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('ingest --json reports files and row counts, and costs --by ServiceCategory sums them exactly', async () => {
  const db = join(dir, 'a.duckdb');
  const file = join(dir, 'focus-jan.csv');
  writeFileSync(file, focusCsv(LINES));
  const r = await runCli(['ingest', file, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<{
    files: unknown[];
    rowsRead: number;
    rowsLoaded: number;
    rowsRejected: number;
    quarantine?: string;
  }>();
  assert.equal(out.files.length, 1);
  assert.equal(out.rowsRead, LINES.length);
  assert.equal(out.rowsLoaded, LINES.length);
  assert.equal(out.rowsRejected, 0);
  assert.equal(out.quarantine, undefined);

  const c = await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const rows = c.json<CostRow[]>();
  for (const cat of new Set(LINES.map((l) => l.cat))) {
    const mine = LINES.filter((l) => l.cat === cat);
    const row = rows.find((x) => x['ServiceCategory'] === cat);
    assert.ok(row, cat);
    // Exact decimal text, as stored, in the export's billing currency.
    assert.equal(row.billedCost, usdText(mine.map((l) => l.billed)));
    assert.equal(row.effectiveCost, usdText(mine.map((l) => l.effective)));
    assert.equal(row.listCost, usdText(mine.map((l) => l.list)));
    assert.equal(row.currency, 'USD');
  }

  const ai = await runCli(['costs', '--db', db, '--by', 'x_AiModel,x_AiTokenType', '--ai-only', '--json']);
  assert.equal(ai.code, 0, ai.stderr);
  const aiRows = ai.json<CostRow[]>();
  const mini = aiRows.find((x) => x['x_AiModel'] === 'gpt-4o-mini' && x['x_AiTokenType'] === 'output');
  assert.equal(mini?.billedCost, '2.5');
  assert.ok(aiRows.find((x) => x['x_AiModel'] === 'gpt-4o' && x['x_AiTokenType'] === 'output'));
  const total = aiRows.reduce((s, x) => s + parseUsd(x.billedCost), 0n);
  assert.equal(total, parseUsd(usdText(LINES.filter((l) => l.cat.startsWith('AI')).map((l) => l.billed))));
  assert.ok(!aiRows.some((x) => 'ServiceCategory' in x));

  // Idempotence: the same file again changes nothing.
  const again = await runCli(['ingest', file, '--db', db, '--json']);
  assert.equal(again.json<{ rowsLoaded: number }>().rowsLoaded, 0);
  const c2 = await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json']);
  assert.deepEqual(c2.json(), rows);

  // A newer month-to-date export for the same account and period replaces the slice.
  const newer = join(dir, 'focus-jan-later.csv');
  writeFileSync(newer, focusCsv(LINES, { scale: 2 }));
  assert.equal((await runCli(['ingest', newer, '--db', db, '--json'])).code, 0);
  const c3 = (await runCli(['costs', '--db', db, '--by', 'ServiceCategory', '--json'])).json<CostRow[]>();
  const compute = c3.find((x) => x['ServiceCategory'] === 'Compute');
  assert.equal(compute?.billedCost, '6.666666666');
});

test('messy rows load, and unloadable rows go to a quarantine file with line and reason', async () => {
  const db = join(dir, 'b.duckdb');
  const file = join(dir, 'messy.csv');
  const header =
    'billedCost,effective_cost,List Cost,chargePeriodStart,BillingAccountId,BillingPeriodStart,ServiceCategory,Tags,ConsumedQuantity,ChargeCategory';
  const rows = [
    '\uFEFF"1,234.50",1234.5,NULL,01/15/2026,acct,2026-01-01,Compute,"""env"": ""prod""",-2,Usage',
    '2,2,2,2026-01-16 10:00:00,acct,2026-01-01,Compute,NULL,1,Usage',
    'short,row',
    'abc,1,1,2026-01-17T00:00:00Z,acct,2026-01-01,Compute,,1,Usage',
    '3,3,3,not-a-date,acct,2026-01-01,Compute,,1,Usage',
    // M/D/YY, as some SaaS FOCUS examples write it (DuckDB's own cast would read it as the year 1).
    '4,4,4,1/17/26,acct,2026-01-01,Compute,,1,Usage',
  ];
  writeFileSync(file, '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n');
  const r = await runCli(['ingest', file, '--db', db, '--json', '--quarantine', join(dir, 'q')]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<{ rowsRead: number; rowsLoaded: number; rowsRejected: number; quarantine?: string }>();
  assert.deepEqual([out.rowsRead, out.rowsLoaded, out.rowsRejected], [6, 3, 3]);
  assert.ok(out.quarantine && existsSync(out.quarantine));
  const q = readFileSync(out.quarantine, 'utf8');
  // Line 4 is a record with too few columns; the lines after it still point at the right rows.
  assert.match(q, /messy\.csv,4,"?MISSING COLUMNS/);
  assert.match(q, /messy\.csv,5,BilledCost: cannot read abc/);
  assert.match(q, /messy\.csv,6,ChargePeriodStart: cannot read not-a-date/);
  const s = await runCli([
    'sql',
    '--db',
    db,
    '--json',
    `SELECT "BilledCost"::VARCHAR AS b, "ListCost" AS l, strftime("ChargePeriodStart", '%Y-%m-%d %H') AS d, "Tags"::VARCHAR AS t, "ConsumedQuantity"::VARCHAR AS q FROM cost_rows ORDER BY d`,
  ]);
  const got = s.json<{ b: string; l: number | null; d: string; t: string | null; q: string }[]>();
  assert.equal(got[0]?.b, '1234.5000000000');
  assert.equal(got[0]?.l, null);
  assert.equal(got[0]?.d, '2026-01-15 00');
  assert.deepEqual(JSON.parse(got[0]!.t!), { env: 'prod' });
  assert.equal(got[0]?.q, '-2.0000000000');
  assert.equal(got[1]?.d, '2026-01-16 10');
  assert.equal(got[1]?.t, null);
  assert.equal(got[2]?.d, '2026-01-17 00');
});

test('a failed ingest run leaves the store as it was', async () => {
  const db = join(dir, 'c.duckdb');
  const good = join(dir, 'good.csv');
  writeFileSync(good, focusCsv(LINES, { month: '2026-02' }));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'foo,bar\n1,2\n');
  const r = await runCli(['ingest', good, bad, '--db', db, '--json']);
  assert.notEqual(r.code, 0);
  const s = await runCli(['sql', '--db', db, '--json', 'SELECT count(*) AS n FROM cost_rows']);
  assert.equal(s.json<{ n: number }[]>()[0]?.n, 0);
});

test('folders, globs, .csv.gz and .parquet files ingest alike', async () => {
  const { gzipSync } = await import('node:zlib');
  const { mkdirSync } = await import('node:fs');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = join(dir, 'd.duckdb');
  const folder = join(dir, 'exports');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'mar.csv.gz'), gzipSync(focusCsv(LINES, { month: '2026-03' })));
  const plain = join(dir, 'apr.csv');
  writeFileSync(plain, focusCsv(LINES, { month: '2026-04' }));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(
    `COPY (SELECT * FROM read_csv('${plain}', all_varchar = true)) TO '${join(folder, 'apr.parquet')}' (FORMAT parquet)`,
  );
  conn.closeSync();
  inst.closeSync();
  const r = await runCli(['ingest', folder, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<{ files: { file: string }[]; rowsLoaded: number }>();
  assert.equal(out.files.length, 2);
  assert.equal(out.rowsLoaded, LINES.length * 2);
  const g = await runCli(['ingest', join(dir, 'exp*/*.csv.gz'), '--db', db, '--json']);
  assert.equal(g.json<{ files: { status: string }[] }>().files[0]?.status, 'unchanged');
  const c = (
    await runCli([
      'costs',
      '--db',
      db,
      '--by',
      'BillingCurrency',
      '--from',
      '2026-04-01',
      '--to',
      '2026-05-01',
      '--json',
    ])
  ).json<CostRow[]>();
  assert.equal(c[0]?.billedCost, usdText(LINES.map((l) => l.billed)));
});

test('Azure FOCUS exports classify by x_ResourceType and x_SkuMeterCategory, and vendor columns stay queryable', async () => {
  const db = join(dir, 'e.duckdb');
  const file = join(dir, 'azure-focus.csv');
  const head =
    'BilledCost,EffectiveCost,ListCost,ChargePeriodStart,BillingAccountId,BillingPeriodStart,ServiceName,SkuMeter,x_ResourceType,x_SkuMeterCategory,x_SkuMeterSubcategory,x_ResourceGroupName';
  const rows = [
    '5,5,5,2026-05-02T00:00:00Z,acct,2026-05-01T00:00:00Z,Azure AI Services,S1 Speech to Text Hours,microsoft.cognitiveservices/accounts,Foundry Tools,Speech,rg-a',
    '7,7,7,2026-05-02T00:00:00Z,acct,2026-05-01T00:00:00Z,Azure AI Search,Standard S1 Unit,microsoft.search/searchservices,Azure Cognitive Search,Standard,rg-b',
    '2,2,2,2026-05-02T00:00:00Z,acct,2026-05-01T00:00:00Z,Azure OpenAI,gpt-4o-mini-0718-Inp-glbl Tokens,microsoft.cognitiveservices/accounts,Foundry Models,Azure OpenAI,rg-a',
    '9,9,9,2026-05-02T00:00:00Z,acct,2026-05-01T00:00:00Z,Virtual Machines,D2 v3,microsoft.compute/virtualmachines,Virtual Machines,Dv3,rg-b',
  ];
  writeFileSync(file, [head, ...rows].join('\n') + '\n');
  assert.equal((await runCli(['ingest', file, '--db', db, '--json'])).code, 0);
  const ai = (await runCli(['costs', '--db', db, '--by', 'x_AiService', '--ai-only', '--json'])).json<
    CostRow[]
  >();
  const by = Object.fromEntries(ai.map((x) => [String(x['x_AiService']), x.billedCost]));
  assert.deepEqual(by, { speech: '5', 'ai-search': '7', openai: '2' });
  const rg = (await runCli(['costs', '--db', db, '--by', 'x_ResourceGroupName', '--json'])).json<CostRow[]>();
  assert.deepEqual(
    rg.map((x) => [x['x_ResourceGroupName'], x.billedCost]),
    [
      ['rg-b', '16'],
      ['rg-a', '7'],
    ],
  );
});

test('semicolon-separated exports read decimal commas and day.month.year dates', async () => {
  const db = join(dir, 'eu.duckdb');
  const file = join(dir, 'eu.csv');
  writeFileSync(
    file,
    'BilledCost;EffectiveCost;ChargePeriodStart;BillingAccountId;ServiceCategory\n"1.234,56";1234,56;15.01.2026;acct;Compute\n0,5;0,5;2026-01-16T00:00:00Z;acct;Compute\n',
  );
  assert.equal((await runCli(['ingest', file, '--db', db, '--json'])).code, 0);
  const c = (await runCli(['costs', '--db', db, '--by', 'ChargePeriodStart', '--json'])).json<CostRow[]>();
  assert.deepEqual(
    c.map((x) => [x['ChargePeriodStart'], x.billedCost]),
    [
      ['2026-01-15T00:00:00Z', '1234.56'],
      ['2026-01-16T00:00:00Z', '0.5'],
    ],
  );
});

test('an empty path (an unset shell variable) is refused instead of ingesting the current folder', async () => {
  const db = join(dir, 'empty-path.duckdb');
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  writeFileSync(join(cwd, 'focus.csv'), focusCsv(LINES));
  const r = await runCli(['ingest', '', '--db', db, '--json'], { cwd });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /empty path/);
  assert.equal(existsSync(db), false);
});
