import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SHARED_DIR } from './cli.js';

let dir: string;
const HEADER = [
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'ConsumedQuantity',
  'ConsumedUnit',
  'PricingQuantity',
  'PricingUnit',
  'InvoiceIssuerName',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'SkuMeter',
  'Tags',
  'x_SkuMeterCategory',
];
interface Line {
  cat: string;
  service: string;
  meter: string;
  billed: string;
  effective: string;
  list: string;
  day: number;
  mcat: string;
}
const LINES: Line[] = [
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt-4o-mini-0718-Inp-glbl Tokens',
    billed: '1.250000001',
    effective: '1.2',
    list: '1.5',
    day: 1,
    mcat: 'Cognitive Services',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt-4o-mini-0718-Outp-glbl Tokens',
    billed: '2.5',
    effective: '2.5',
    list: '3',
    day: 2,
    mcat: 'Cognitive Services',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt 4o 0513 Output global Tokens',
    billed: '10',
    effective: '9.75',
    list: '12',
    day: 3,
    mcat: 'Foundry Models',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'Provisioned Managed Global Unit',
    billed: '100',
    effective: '100',
    list: '100',
    day: 4,
    mcat: 'Foundry Models',
  },
  {
    cat: 'Compute',
    service: 'Virtual Machines',
    meter: 'D2 v3',
    billed: '3.333333333',
    effective: '3.333333333',
    list: '4',
    day: 5,
    mcat: 'Virtual Machines',
  },
  {
    cat: 'Storage',
    service: 'Storage',
    meter: 'Hot LRS Data Stored',
    billed: '0.1',
    effective: '0.1',
    list: '0.1',
    day: 6,
    mcat: 'Storage',
  },
];

function focusCsv(lines: Line[], opts: { month?: string; scale?: number } = {}): string {
  const m = opts.month ?? '2026-01';
  const rows = lines.map((l) => {
    const d = `${m}-${String(l.day).padStart(2, '0')}`;
    const mul = (v: string) => (opts.scale ? String(Number(v) * opts.scale) : v);
    return [
      'acct-1',
      'Contoso',
      'USD',
      `${m}-01T00:00:00Z`,
      `${m}-28T00:00:00Z`,
      'Usage',
      '',
      'desc',
      'Usage-Based',
      `${d}T00:00:00Z`,
      `${d}T01:00:00Z`,
      mul(l.billed),
      mul(l.effective),
      mul(l.list),
      mul(l.effective),
      '1',
      'Units',
      '1',
      'Units',
      'Microsoft',
      'Microsoft',
      'Microsoft',
      l.cat,
      l.service,
      l.meter,
      '"{""team"":""a""}"',
      l.mcat,
    ].join(',');
  });
  return [HEADER.join(','), ...rows].join('\n') + '\n';
}

/** Exact sum of decimal strings in nanos, then dollars for comparison with JSON output. */
const usd = (vals: string[]) => {
  let n = 0n;
  for (const v of vals) {
    const [i, f = ''] = v.split('.');
    n += BigInt(i!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  }
  return Number(n) / 1e9;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-ingest-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

type CostRow = Record<string, unknown> & { billedCost: number; effectiveCost: number; listCost: number };

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
    assert.equal(row.billedCost, usd(mine.map((l) => l.billed)));
    assert.equal(row.effectiveCost, usd(mine.map((l) => l.effective)));
    assert.equal(row.listCost, usd(mine.map((l) => l.list)));
  }

  const ai = await runCli(['costs', '--db', db, '--by', 'x_AiModel,x_AiTokenType', '--ai-only', '--json']);
  assert.equal(ai.code, 0, ai.stderr);
  const aiRows = ai.json<CostRow[]>();
  const mini = aiRows.find((x) => x['x_AiModel'] === 'gpt-4o-mini' && x['x_AiTokenType'] === 'output');
  assert.equal(mini?.billedCost, 2.5);
  assert.ok(aiRows.find((x) => x['x_AiModel'] === 'gpt-4o' && x['x_AiTokenType'] === 'output'));
  const total = aiRows.reduce((s, x) => s + x.billedCost, 0);
  assert.equal(
    Math.round(total * 1e9),
    Math.round(usd(LINES.filter((l) => l.cat.startsWith('AI')).map((l) => l.billed)) * 1e9),
  );
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
  assert.equal(compute?.billedCost, Number('3.333333333') * 2);
});

test('messy rows load, and unloadable rows go to a quarantine file with line and reason', async () => {
  const db = join(dir, 'b.duckdb');
  const file = join(dir, 'messy.csv');
  const header =
    'billedCost,effective_cost,List Cost,chargePeriodStart,BillingAccountId,BillingPeriodStart,ServiceCategory,Tags,ConsumedQuantity,ChargeCategory';
  const rows = [
    '\uFEFF"1,234.50",1234.5,NULL,01/15/2026,acct,2026-01-01,Compute,"""env"": ""prod""",-2,Usage',
    '2,2,2,2026-01-16 10:00:00,acct,2026-01-01,Compute,NULL,1,Usage',
    'abc,1,1,2026-01-17T00:00:00Z,acct,2026-01-01,Compute,,1,Usage',
    '3,3,3,not-a-date,acct,2026-01-01,Compute,,1,Usage',
  ];
  writeFileSync(file, '\uFEFF' + [header, ...rows].join('\r\n') + '\r\n');
  const r = await runCli(['ingest', file, '--db', db, '--json', '--quarantine', join(dir, 'q')]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<{ rowsRead: number; rowsLoaded: number; rowsRejected: number; quarantine?: string }>();
  assert.deepEqual([out.rowsRead, out.rowsLoaded, out.rowsRejected], [4, 2, 2]);
  assert.ok(out.quarantine && existsSync(out.quarantine));
  const q = readFileSync(out.quarantine, 'utf8');
  assert.match(q, /messy\.csv,4,BilledCost: cannot read abc/);
  assert.match(q, /messy\.csv,5,ChargePeriodStart: cannot read not-a-date/);
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

test('validate --json passes a correct FOCUS file and reports each failed rule with a count and example', async () => {
  const good = join(dir, 'valid.csv');
  writeFileSync(good, focusCsv(LINES));
  const v = await runCli(['validate', good, '--json']);
  const rep = v.json<{
    version: string;
    rows: number;
    errors: { rule: string; column: string; count: number; example: unknown }[];
    warnings: unknown[];
  }>();
  assert.equal(v.code, 0, JSON.stringify(rep.errors));
  assert.deepEqual(rep.errors, []);
  assert.equal(rep.rows, LINES.length);
  assert.ok(Array.isArray(rep.warnings));
  assert.equal(typeof rep.version, 'string');

  const badFile = join(dir, 'invalid.csv');
  writeFileSync(
    badFile,
    focusCsv(LINES).replace('Usage-Based', 'Sometimes').replace(',3.333333333,', ',"$3.33",'),
  );
  const b = await runCli(['validate', badFile, '--json']);
  assert.equal(b.code, 0);
  assert.equal((await runCli(['validate', badFile, '--strict'])).code, 1);
  const errs = b.json<{
    errors: { rule: string; column: string; count: number; example: { line: number; value: string } }[];
  }>().errors;
  const freq = errs.find((e) => e.rule === 'ChargeFrequency-C-003-M');
  assert.deepEqual(
    [freq?.column, freq?.count, freq?.example.line, freq?.example.value],
    ['ChargeFrequency', 1, 2, 'Sometimes'],
  );
  const num = errs.find((e) => e.rule === 'BilledCost-C-002-M');
  assert.equal(num?.count, 1);
  assert.equal(num?.example.value, '$3.33');
});

test(
  'the FOCUS spec example files are not conformant datasets and validate says why',
  { skip: !existsSync(SHARED_DIR) },
  async () => {
    const f = join(
      SHARED_DIR,
      'data/focus-spec-examples/saas_examples/simple_agreements/simple_saas_agreements_a1.csv',
    );
    const r = (await runCli(['validate', f, '--json'])).json<{ errors: { rule: string }[] }>();
    const rules = r.errors.map((e) => e.rule);
    assert.ok(rules.includes('BilledCost-C-002-M'));
    assert.ok(rules.includes('ChargePeriodStart-C-002-M'));
  },
);

test(
  'Azure EA actual + amortized exports convert to FOCUS without double counting',
  { skip: !existsSync(SHARED_DIR) },
  async () => {
    const db = join(dir, 'ea.duckdb');
    const base = join(SHARED_DIR, 'data/finops-toolkit/powershell-test-assets');
    const r = await runCli([
      'ingest',
      join(base, 'EA_ActualCost_Small.csv'),
      join(base, 'EA_AmortizedCost_Small.csv'),
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json<{ files: { format: string }[]; rowsRejected: number }>();
    assert.deepEqual(
      out.files.map((f) => f.format),
      ['azure-actual', 'azure-amortized'],
    );
    const s = await runCli([
      'sql',
      '--db',
      db,
      '--json',
      `SELECT count(*) AS n, count(*) FILTER (WHERE _slice_key LIKE 'azure-actual%') AS a, sum("EffectiveCost") FILTER (WHERE _slice_key LIKE 'azure-actual%') AS ae, min("BillingPeriodEnd") AS e FROM cost_rows`,
    ]);
    const row = s.json<{ n: number; a: number; ae: number; e: string }[]>()[0]!;
    // Only the reservation purchase survives from the actual export, with EffectiveCost 0 (it is amortized).
    assert.equal(row.a, 1);
    assert.equal(row.ae, 0);
    assert.equal(row.e, '2023-10-01T00:00:00.000Z');
  },
);

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
  assert.equal(c[0]?.billedCost, usd(LINES.map((l) => l.billed)));
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
  assert.deepEqual(by, { speech: 5, 'ai-search': 7, openai: 2 });
  const rg = (await runCli(['costs', '--db', db, '--by', 'x_ResourceGroupName', '--json'])).json<CostRow[]>();
  assert.deepEqual(
    rg.map((x) => [x['x_ResourceGroupName'], x.billedCost]),
    [
      ['rg-b', 16],
      ['rg-a', 7],
    ],
  );
});

test('MCA-style camelCase Azure exports convert: block sizes, exclusive period end, SkuId, tags, AI class', async () => {
  const db = join(dir, 'mca.duckdb');
  const file = join(dir, 'mca-actual.csv');
  const head =
    'billingAccountId,billingAccountName,billingPeriodStartDate,billingPeriodEndDate,date,costInBillingCurrency,billingCurrency,quantity,unitOfMeasure,unitPrice,meterCategory,meterSubCategory,meterName,productId,ProductName,resourceId,chargeType,pricingModel,frequency,tags,subscriptionId';
  const rid = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/aoai';
  const rows = [
    `mca-1,Fabrikam,2026-06-01,2026-06-30,2026-06-03,"1,200.5",EUR,"2,000,000",1K,0.0006,Cognitive Services,Azure OpenAI,gpt-4o-mini-0718-Inp-glbl Tokens,DZH318Z0BQ4L,Azure OpenAI,${rid},Usage,OnDemand,UsageBased,"""team"": ""search"",""env"": ""prod""",s1`,
    `mca-1,Fabrikam,2026-06-01,2026-06-30,2026-06-04,-3,EUR,-1,1 Hour,3,Virtual Machines,Dv3,D2 v3,DZH318Z0BQ4M,VM,/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1,Refund,OnDemand,UsageBased,,s1`,
  ];
  writeFileSync(file, [head, ...rows].join('\n') + '\n');
  const r = await runCli(['ingest', file, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json<{ files: { format: string }[] }>().files[0]?.format, 'azure-actual');
  const s = await runCli([
    'sql',
    '--db',
    db,
    '--json',
    `SELECT "BilledCost"::VARCHAR AS b, "BillingCurrency" AS cur, "PricingQuantity"::VARCHAR AS pq, "PricingUnit" AS pu,
       "BillingPeriodEnd" AS e, "SkuId" AS sku, "Tags"->>'team' AS team, "ChargeClass" AS cc, "ChargeFrequency" AS cf,
       x_AiModel AS m, x_AiTokenType AS tt, x_AiDeploymentType AS dt, "ResourceType" AS rt
     FROM cost_rows ORDER BY "ChargePeriodStart"`,
  ]);
  const [ai, refund] = s.json<Record<string, string | null>[]>();
  assert.deepEqual(
    [ai?.['b'], ai?.['cur'], ai?.['pq'], ai?.['pu'], ai?.['e'], ai?.['sku'], ai?.['team'], ai?.['cf']],
    [
      '1200.5000000000',
      'EUR',
      '2000.0000000000',
      'Units',
      '2026-07-01T00:00:00.000Z',
      'DZH318Z0BQ4L',
      'search',
      'Usage-Based',
    ],
  );
  assert.deepEqual(
    [ai?.['m'], ai?.['tt'], ai?.['dt'], ai?.['rt']],
    ['gpt-4o-mini', 'input', 'global-standard', 'microsoft.cognitiveservices/accounts'],
  );
  assert.deepEqual(
    [refund?.['b'], refund?.['cc'], refund?.['pu'], refund?.['m']],
    ['-3.0000000000', 'Correction', 'Hours', null],
  );
});
