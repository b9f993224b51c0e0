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
  // GPU 8.91e-5·70 + 1.43e-3 = 0.007667 Wh; latency 8.02e-4·70 + 2.23e-2 = 0.07844 s; GPUs ceil(1.2·70·2/80) = 3;
  // server 0.07844 s × 1 kW × 3/8 = 0.0081708 Wh; × PUE 1.2 = 0.0190054 Wh per output token.
  assert.ok(Math.abs(whPerOutputToken(70, 1.2) - 0.0190054) < 1e-6);
  assert.ok(Math.abs(400 * whPerOutputToken(70, 1.2) - 7.602) < 0.001);
});

test('a mid-size model at 400 output tokens falls inside the published per-query range (0.24 Wh to 40 Wh, docs/carbon.md)', () => {
  const e = energyRange('gpt-4o', 1.185);
  const low = 400 * e.low;
  const high = 400 * e.high;
  // Google's median prompt (0.24 Wh) is the lowest published figure, Epoch's 100k-token GPT-4o query (40 Wh) the highest.
  assert.ok(low >= 0.24 && high <= 40, `${low}–${high}`);
  // Our range for this case, as stated in docs/carbon.md: 2.7–13.5 Wh.
  assert.equal(low.toFixed(1), '2.7');
  assert.equal(high.toFixed(1), '13.5');
  assert.equal(e.sizeClass, 'mid');
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
});

test('without the shared table a built-in subset of the same factors is used', () => {
  const f = loadGridFactors('/nonexistent/ccf.csv');
  assert.equal(f.byRegion.get('eastus2'), 379.069);
  assert.match(f.source, /built-in/);
});
