import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, SHARED_DIR } from './cli.js';
import { LINES, focusCsv } from './ingest-fixtures.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-ingest-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

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
