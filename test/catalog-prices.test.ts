import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { lookupPrice } from '../src/catalog/index.js';
import { runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-prices-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Entry {
  model: string;
  provider: string;
  deployment: string;
  region?: string;
  basis: string;
  inputPerMTokUsd: number;
  cachedInputPerMTokUsd: number | null;
  outputPerMTokUsd: number;
  effectiveInputPerMTokUsd: number;
  effectiveFrom: string;
  source: string;
}

const usd = (n: bigint) => Number(n) / 1e9;

test('prices --model gpt-4o --json lists entries with the contract keys and the catalog prices', async () => {
  const r = await runCli(['prices', '--model', 'gpt-4o', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const entries = r.json<Entry[]>();
  assert.ok(entries.length >= 5);
  for (const e of entries) {
    for (const k of [
      'model',
      'deployment',
      'inputPerMTokUsd',
      'cachedInputPerMTokUsd',
      'outputPerMTokUsd',
      'effectiveFrom',
      'source',
    ])
      assert.ok(k in e, `missing ${k}`);
    assert.match(e.effectiveFrom, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(e.source.length > 0);
  }
  for (const deployment of ['global-standard', 'data-zone', 'regional', 'batch']) {
    const e = entries.find((x) => x.deployment === deployment && x.provider === 'azure')!;
    const p = lookupPrice({ model: 'gpt-4o', deployment })!;
    assert.equal(e.inputPerMTokUsd, usd(p.inputNanosPerMTok));
    assert.equal(e.outputPerMTokUsd, usd(p.outputNanosPerMTok));
  }
});

test('prices --at returns the price in effect on that date', async () => {
  const old = await runCli([
    'prices',
    '--model',
    'o3',
    '--provider',
    'openai',
    '--deployment',
    'standard',
    '--at',
    '2025-05-01',
    '--json',
  ]);
  const now = await runCli([
    'prices',
    '--model',
    'o3',
    '--provider',
    'openai',
    '--deployment',
    'standard',
    '--json',
  ]);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.json<Entry[]>()[0]!.inputPerMTokUsd, 10);
  assert.equal(now.json<Entry[]>()[0]!.inputPerMTokUsd, 2);
});

test('prices rejects an unknown model or deployment type with close matches', async () => {
  const m = await runCli(['prices', '--model', 'gpt-4.1-nanno', '--json']);
  assert.notEqual(m.code, 0);
  assert.match(m.stdout + m.stderr, /gpt-4\.1-nano/);
  const d = await runCli(['prices', '--model', 'gpt-4o', '--deployment', 'datazone-standrd']);
  assert.notEqual(d.code, 0);
  assert.match(d.stderr, /data-zone/);
});

test('a negotiated discount in tally.yaml turns list prices into effective prices', async () => {
  const cfg = join(dir, 'tally.yaml');
  writeFileSync(
    cfg,
    stringify({ pricing: { discounts: [{ provider: 'azure', model: 'gpt-4o', percent: 20 }] } }),
  );
  const r = await runCli([
    'prices',
    '--model',
    'gpt-4o',
    '--deployment',
    'global-standard',
    '--config',
    cfg,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const e = r.json<Entry[]>().find((x) => x.provider === 'azure')!;
  assert.equal(e.inputPerMTokUsd, 2.5);
  assert.equal(e.effectiveInputPerMTokUsd, 2);
});

const item = (meterName: string, price: number, extra: Record<string, unknown> = {}) => ({
  currencyCode: 'USD',
  retailPrice: price,
  unitPrice: price,
  armRegionName: 'eastus2',
  effectiveStartDate: '2025-03-01T00:00:00Z',
  meterName,
  productName: 'Azure OpenAI',
  skuName: meterName.replace(/ /g, '-'),
  serviceName: 'Foundry Models',
  unitOfMeasure: '1K',
  type: 'Consumption',
  ...extra,
});

test('prices import reads Azure Retail Prices API pages and the estimator uses the regional token and PTU prices', async () => {
  const db = join(dir, 'retail.duckdb');
  const pages = [
    {
      Items: [item('gpt 4.1 Inp regnl Tokens', 0.0021), item('gpt 4.1 cchd Inp regnl', 0.0006)],
      NextPageLink: 'https://prices.azure.com/next',
    },
    {
      Items: [
        item('gpt 4.1 Outp regnl Tokens', 0.0084),
        item('Provisioned Managed Regional Unit', 2.5, { unitOfMeasure: '1 Hour' }),
        item('Standard S1 Unit', 0.336, {
          serviceName: 'Azure Cognitive Search',
          productName: 'Azure AI Search',
          unitOfMeasure: '1 Hour',
        }),
      ],
      NextPageLink: null,
    },
  ];
  const file = join(dir, 'retail.json');
  writeFileSync(file, JSON.stringify(pages));
  const imp = await runCli(['prices', 'import', file, '--db', db, '--json']);
  assert.equal(imp.code, 0, imp.stderr);
  const summary = imp.json<{
    imported: number;
    ptuPrices: number;
    rows: number;
    skipped: Record<string, number>;
  }>();
  assert.equal(summary.rows, 5);
  assert.equal(summary.imported, 1);
  assert.equal(summary.ptuPrices, 1);
  assert.equal(
    Object.values(summary.skipped).reduce((a, b) => a + b, 0),
    1,
  );
  const list = await runCli([
    'prices',
    '--model',
    'gpt-4.1',
    '--deployment',
    'regional',
    '--db',
    db,
    '--json',
  ]);
  const regional = list.json<Entry[]>().find((e) => e.region === 'eastus2')!;
  assert.deepEqual(
    [regional.inputPerMTokUsd, regional.cachedInputPerMTokUsd, regional.outputPerMTokUsd],
    [2.1, 0.6, 8.4],
  );
  const scenario = join(dir, 's.yaml');
  writeFileSync(
    scenario,
    stringify({
      horizonMonths: 1,
      traffic: { visitorsPerMonth: 1000, interactionRate: 1, conversationsPerUser: 1 },
      conversation: { turns: 1, systemTokens: 0, userTokensPerTurn: 1000, assistantTokensPerTurn: 1000 },
      options: [
        { model: 'gpt-4.1', deployment: 'regional', region: 'eastus2' },
        { model: 'gpt-4.1', deployment: 'regional-provisioned', region: 'eastus2', ptu: 50 },
      ],
    }),
  );
  const est = await runCli(['estimate', '--scenario', scenario, '--db', db, '--json']);
  assert.equal(est.code, 0, est.stderr);
  const opts = est.json<{ options: { months: { tokenCostUsd: number }[] }[] }>().options;
  // 1M input x $2.10 + 1M output x $8.40
  assert.ok(Math.abs(opts[0]!.months[0]!.tokenCostUsd - 10.5) < 1e-9);
  // 50 PTU x the imported $2.50/PTU-hour x 730 h
  assert.ok(Math.abs(opts[1]!.months[0]!.tokenCostUsd - 50 * 2.5 * 730) < 1e-9);
});

test('prices import reads an EA price sheet CSV as effective prices', async () => {
  const db = join(dir, 'sheet.duckdb');
  const header =
    'EnrollmentNumber,MeterID,MeterName,MeterType,MeterCategory,MeterSubCategory,ServiceFamily,Product,SkuID,ProductID,MeterRegion,UnitOfMeasure,PartNumber,EffectiveStartDate,EffectiveEndDate,UnitPrice,BasePrice,MarketPrice,CurrencyCode,IncludedQuantity,OfferID,Term,PriceType';
  const row = (meter: string, unit: string, price: string) =>
    `1,m,"${meter}",t,Foundry Models,Azure OpenAI,AI + Machine Learning,"Azure OpenAI, gpt-4o-mini",s,p,US East 2,${unit},pn,2025-02-01T00:00:00Z,,${price},${price},${price},USD,0,o,,Consumption`;
  const csv = [
    header,
    row('gpt 4o mini 0718 Inp glbl Tokens', '1K', '0.00012'),
    row('gpt 4o mini 0718 Outp glbl Tokens', '1K', '0.00048'),
    row('D2 v3', '1 Hour', '0.09'),
  ].join('\r\n');
  const file = join(dir, 'sheet.csv');
  writeFileSync(file, csv);
  const imp = await runCli(['prices', 'import', file, '--db', db, '--json']);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(imp.json<{ imported: number }>().imported, 1);
  const list = await runCli([
    'prices',
    '--model',
    'gpt-4o-mini',
    '--deployment',
    'global-standard',
    '--provider',
    'azure',
    '--db',
    db,
    '--json',
  ]);
  const entries = list.json<Entry[]>();
  const sheet = entries.find((e) => e.basis === 'effective')!;
  assert.equal(sheet.inputPerMTokUsd, 0.12);
  assert.equal(sheet.outputPerMTokUsd, 0.48);
  assert.ok(entries.some((e) => e.basis === 'list' && e.inputPerMTokUsd === 0.15));
});

test('prices import --name records a sheet under that name, so importing it again from another folder replaces it', async () => {
  // The API's upload route imports each upload from a new temporary folder and names it so.
  const db = join(dir, 'named.duckdb');
  const header =
    'EnrollmentNumber,MeterID,MeterName,MeterType,MeterCategory,MeterSubCategory,ServiceFamily,Product,SkuID,ProductID,MeterRegion,UnitOfMeasure,PartNumber,EffectiveStartDate,EffectiveEndDate,UnitPrice,BasePrice,MarketPrice,CurrencyCode,IncludedQuantity,OfferID,Term,PriceType';
  const csv = `${header}\r\n1,m,"gpt 4o mini 0718 Inp glbl Tokens",t,Foundry Models,Azure OpenAI,AI + Machine Learning,"Azure OpenAI, gpt-4o-mini",s,p,US East 2,1K,pn,2025-02-01T00:00:00Z,,0.00012,0.00012,0.00012,USD,0,o,,Consumption`;
  for (const folder of ['tally-upload-a', 'tally-upload-b']) {
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, folder, 'prices.csv'), csv);
    const imp = await runCli([
      'prices',
      'import',
      join(dir, folder, 'prices.csv'),
      '--name',
      'ea-sheet.csv',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal(imp.json<{ file: string }>().file, 'ea-sheet.csv');
  }
  const stored = await runCli([
    'sql',
    '--db',
    db,
    '--json',
    "SELECT value FROM kv WHERE namespace = 'catalog' AND key = 'price-imports'",
  ]);
  assert.equal(stored.code, 0, stored.stderr);
  assert.doesNotMatch(stored.stdout, /tally-upload-/);
  const value = stored.json<{ value: unknown }[]>()[0]!.value;
  const imports = (typeof value === 'string' ? JSON.parse(value) : value) as { imports: { file: string }[] };
  assert.deepEqual(
    imports.imports.map((i) => i.file),
    ['ea-sheet.csv'],
  );
});
