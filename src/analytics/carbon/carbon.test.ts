import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  carbonReport,
  energyRange,
  loadGridFactors,
  parseFactorsCsv,
  whPerOutputToken,
  defaultFactorsPath,
} from './index.js';

test('the per-token equations reproduce the EcoLogits v1 figure for a 70B model by hand', () => {
  // EcoLogits v1 (docs/methodology/llm_inference.md; constants of ecologits/impacts/llm.py: 4-bit weights,
  // 80 GB GPUs, 8 GPUs and 1 kW per server). 70 B: GPUs ceil(1.2·70·4/8/80) = 1; GPU 8.91e-5·70 + 1.43e-3 =
  // 0.007667 Wh; latency 8.02e-4·70 + 2.23e-2 = 0.07844 s; server 0.07844 s × 1 kW × 1/8 = 0.0027236 Wh;
  // PUE 1.2 × (1 × 0.007667 + 0.0027236) = 0.0124687 Wh per output token, 4.987 Wh for 400.
  assert.ok(Math.abs(whPerOutputToken(70, 1.2) - 0.0124687) < 1e-6);
  assert.ok(Math.abs(400 * whPerOutputToken(70, 1.2) - 4.987) < 0.001);
});

test('a model too large for one GPU draws the GPU energy once per GPU, as EcoLogits does', () => {
  // 400 B: GPUs ceil(1.2·400·4/8/80) = 3; GPU 0.03707 Wh; latency 0.3431 s → server 0.3431 × 3/8 / 3.6 = 0.035736 Wh;
  // 1.2 × (3 × 0.03707 + 0.035736) = 0.176340 Wh per output token.
  assert.ok(Math.abs(whPerOutputToken(400, 1.2) - 0.17634) < 1e-5);
});

test('a mid-size model at 400 output tokens falls inside the range the methodology gives for 30-120 B (docs/carbon.md)', () => {
  const e = energyRange('gpt-4o', 1.185);
  const low = 400 * e.low;
  const high = 400 * e.high;
  // The methodology's figures at Azure's PUE 1.185, by hand: 30 B 1.185 × (0.004103 + 0.0016097) × 400 = 2.708 Wh;
  // 120 B 1.185 × (0.012122 + 0.0041160) × 400 = 7.697 Wh; its own 70 B figure (4.99 Wh at PUE 1.2) lies between.
  assert.ok(Math.abs(low - 2.708) < 0.001, `low ${low}`);
  assert.ok(Math.abs(high - 7.697) < 0.001, `high ${high}`);
  const ref70 = 400 * whPerOutputToken(70, 1.185);
  assert.ok(low < ref70 && ref70 < high);
  assert.equal(e.sizeClass, 'mid');
  // Honest about what it is not: operator disclosures for a short query (Google 0.24 Wh, Epoch 0.3 Wh, Jegham
  // 0.42-0.43 Wh for GPT-4o) sit below the whole range, because EcoLogits v1 assumes no batching.
  assert.ok(low > 0.43);
});

test('group totals equal the sum of rows, and emissions follow the region grid factor', () => {
  const factors = parseFactorsCsv(
    'region_name,ccf_constant,us_nerc_region,gco2e_per_kwh\nEastUS2,X,SERC,379.069\nswedencentral,Y,,5.670\nUnknown,,,351.280\n',
    'test',
  );
  const groups = [
    {
      key: 'a',
      model: 'gpt-4o',
      provider: 'azure-openai',
      region: 'eastus2',
      requests: 10,
      outputTokens: 4000,
    },
    {
      key: 'a',
      model: 'gpt-4o',
      provider: 'azure-openai',
      region: 'swedencentral',
      requests: 10,
      outputTokens: 4000,
    },
    {
      key: 'b',
      model: 'gpt-4o-mini',
      provider: 'azure-openai',
      region: 'mars',
      requests: 5,
      outputTokens: 1000,
    },
  ];
  const r = carbonReport(groups, factors, { kind: 'location' });
  const e = energyRange('gpt-4o', 1.185);
  const a = r.rows.find((x) => x.key === 'a')!;
  assert.ok(Math.abs(a.energyWh.low - 8000 * e.low) < 0.01);
  assert.ok(Math.abs(a.co2eGrams.low - ((4000 * e.low) / 1000) * (379.069 + 5.67)) < 0.01);
  assert.deepEqual(r.unknownRegions, ['mars']);
  assert.ok(Math.abs(r.total.energyWh.high - r.rows.reduce((s, x) => s + x.energyWh.high, 0)) < 0.01);
  const market = carbonReport(groups, factors, { kind: 'market', gco2ePerKwh: 0 });
  assert.equal(market.total.co2eGrams.high, 0);
});

test('region factors come from the shared CCF table when it is there (eastus2 is SERC, 379.069 g/kWh)', (t) => {
  if (!existsSync(defaultFactorsPath())) return t.skip('../shared/data/ccf is not beside this checkout');
  const f = loadGridFactors();
  assert.equal(f.byRegion.get('eastus2'), 379.069);
  assert.equal(f.byRegion.size >= 70, true);
  // Named by its file, never by a path on the machine that serves the report.
  assert.match(f.source, /\(azure_region_emission_factors_gco2e_per_kwh\.csv\)$/);
  assert.doesNotMatch(f.source, /\//);
});

test('without the shared table a built-in subset of the same factors is used', () => {
  const f = loadGridFactors('/nonexistent/ccf.csv');
  assert.equal(f.byRegion.get('eastus2'), 379.069);
  assert.match(f.source, /built-in/);
});
