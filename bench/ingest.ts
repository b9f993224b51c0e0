/**
 * `npm run bench:ingest`: generates a FOCUS 1.2 CSV (default 5,000,000 rows; BENCH_ROWS to change), then times
 * (a) DuckDB's own read_csv of it into a table and (b) Tally's ingest of it (format detection, parsing, AI
 * classification, validation, quarantine routing, load) into a fresh store. Prints rows/s, the ratio and peak RSS.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { duckdbSql, openStore } from '../src/store/index.js';
import { ingestFiles } from '../src/ingest/index.js';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 5_000_000);
// Both runs get the same DuckDB memory cap, to show the ingest streams rather than holding the file.
const MEMORY = process.env['BENCH_MEMORY_LIMIT'] ?? '1GB';
const dir = process.env['BENCH_DIR'] ?? mkdtempSync(join(tmpdir(), 'tally-bench-ingest-'));
const csv = join(dir, 'focus.csv');

const METERS = [
  ['AI and Machine Learning', 'Azure OpenAI', 'gpt-4o-mini-0718-Inp-glbl Tokens', 'Cognitive Services'],
  ['AI and Machine Learning', 'Azure OpenAI', 'gpt-4o-mini-0718-Outp-glbl Tokens', 'Cognitive Services'],
  ['AI and Machine Learning', 'Azure OpenAI', 'gpt 4o 0513 Output global Tokens', 'Foundry Models'],
  ['AI and Machine Learning', 'Azure OpenAI', 'Provisioned Managed Global Unit', 'Foundry Models'],
  ['Analytics', 'Azure AI Search', 'Standard S1 Unit', 'Azure Cognitive Search'],
  ['Compute', 'Virtual Machines', 'D2 v3', 'Virtual Machines'],
  ['Storage', 'Storage', 'Hot LRS Data Stored', 'Storage'],
  ['Networking', 'Bandwidth', 'Standard Data Transfer Out', 'Bandwidth'],
];

async function generate(): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const meters = METERS.map((m) => `(${m.map((x) => `'${x}'`).join(', ')})`).join(', ');
  // ~40 columns as Azure's FOCUS export has them; costs with up to 10 decimals; tags as JSON.
  await c.run(`COPY (
    WITH m(cat, svc, meter, mcat) AS (VALUES ${meters}),
    mi AS (SELECT row_number() OVER () - 1 AS k, * FROM m)
    SELECT 'acct-' || (i % 3) AS BillingAccountId, 'Contoso' AS BillingAccountName, 'USD' AS BillingCurrency,
      '2026-01-01T00:00:00Z' AS BillingPeriodStart, '2026-02-01T00:00:00Z' AS BillingPeriodEnd,
      'Usage' AS ChargeCategory, NULL AS ChargeClass, meter AS ChargeDescription, 'Usage-Based' AS ChargeFrequency,
      strftime(TIMESTAMP '2026-01-01' + INTERVAL (i % 744) HOUR, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodStart,
      strftime(TIMESTAMP '2026-01-01' + INTERVAL (i % 744 + 1) HOUR, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodEnd,
      round(((i * 7919) % 100000) / 10000.0, 10) AS BilledCost, round(((i * 7919) % 100000) / 10000.0, 10) AS EffectiveCost,
      round(((i * 7919) % 100000) / 9000.0, 10) AS ListCost, round(((i * 7919) % 100000) / 10000.0, 10) AS ContractedCost,
      (i % 1000) AS ConsumedQuantity, 'Tokens' AS ConsumedUnit, (i % 1000) / 1000.0 AS PricingQuantity, '1K Tokens' AS PricingUnit,
      0.0015 AS ListUnitPrice, 0.0012 AS ContractedUnitPrice, 'Standard' AS PricingCategory,
      'Microsoft' AS InvoiceIssuerName, 'Microsoft' AS ProviderName, 'Microsoft' AS PublisherName,
      'eastus' AS RegionId, 'East US' AS RegionName,
      '/subscriptions/s' || (i % 50) || '/resourcegroups/rg/providers/microsoft.cognitiveservices/accounts/a' || (i % 200) AS ResourceId,
      'a' || (i % 200) AS ResourceName, cat AS ServiceCategory, svc AS ServiceName, meter AS SkuMeter,
      'sku-' || (i % 8) AS SkuId, 'sub-' || (i % 50) AS SubAccountId, 'Sub ' || (i % 50) AS SubAccountName,
      '{"team":"t' || (i % 20) || '","app":"a' || (i % 7) || '"}' AS Tags,
      mcat AS x_SkuMeterCategory, 'microsoft.cognitiveservices/accounts' AS x_ResourceType, 'rg' AS x_ResourceGroupName
    FROM range(${ROWS}) t(i) JOIN mi ON mi.k = i % ${METERS.length}
  ) TO '${csv}' (HEADER, DELIMITER ',')`);
  c.closeSync();
  inst.closeSync();
}

async function duckdbBaseline(): Promise<number> {
  const inst = await DuckDBInstance.create(join(dir, 'raw.duckdb'));
  const c = await inst.connect();
  await c.run(`SET memory_limit = '${MEMORY}'`);
  const t0 = performance.now();
  await c.run(`CREATE TABLE raw AS SELECT * FROM read_csv('${csv}')`);
  await c.run('CHECKPOINT');
  const ms = performance.now() - t0;
  c.closeSync();
  inst.closeSync();
  return ms;
}

async function tallyIngest(): Promise<{ ms: number; loaded: number }> {
  const store = await openStore({ path: join(dir, 'tally.duckdb') });
  await duckdbSql(store).exec(`SET memory_limit = '${MEMORY}'`);
  const t0 = performance.now();
  const res = await ingestFiles(store, { paths: [csv], quarantineDir: join(dir, 'q'), memoryLimit: MEMORY });
  await store.close();
  return { ms: performance.now() - t0, loaded: res.rowsLoaded };
}

if (process.env['BENCH_GEN_ONLY']) {
  await generate();
  process.exit(0);
}
try {
  const g0 = performance.now();
  await generate();
  const mb = statSync(csv).size / 1e6;
  console.log(
    `generated ${ROWS.toLocaleString()} rows, ${mb.toFixed(0)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  );
  const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
  const base = await duckdbBaseline();
  console.log(`peak RSS after duckdb baseline: ${rss()}`);
  const tally = await tallyIngest();
  console.log(`peak RSS after tally ingest: ${rss()}`);
  if (tally.loaded !== ROWS) throw new Error(`loaded ${tally.loaded} of ${ROWS} rows`);
  const rate = (ms: number) => Math.round(ROWS / (ms / 1000)).toLocaleString();
  console.log(`duckdb read_csv -> table: ${(base / 1000).toFixed(1)} s, ${rate(base)} rows/s`);
  console.log(
    `tally ingest (classify + validate + load): ${(tally.ms / 1000).toFixed(1)} s, ${rate(tally.ms)} rows/s`,
  );
  console.log(
    `ratio tally/duckdb: ${((base / tally.ms) * 100).toFixed(0)}% (target >= 50%), memory_limit ${MEMORY}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
