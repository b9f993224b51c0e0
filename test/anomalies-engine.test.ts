import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributeChange,
  decomposeChange,
  detectAnomalies,
  scanSpendAnomalies,
} from '../src/analytics/anomalies/index.js';
import type { SpendCell } from '../src/analytics/_series/index.js';

let seed = 3;
const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const weekly = (n: number, level = 100, sd = 0.03) =>
  Array.from({ length: n }, (_, t) => level * (t % 7 >= 5 ? 0.6 : 1) * (1 + sd * noise()));

test('a spike, a drop and a drift are each flagged with their kind', () => {
  const y = weekly(120);
  y[60] = y[60]! * 3;
  for (let t = 80; t < 83; t++) y[t] = y[t]! * 0.1;
  for (let t = 95; t < 120; t++) y[t] = y[t]! * (1 + 0.05 * Math.min(t - 94, 14));
  const s = detectAnomalies(y, { season: 7 });
  assert.equal(s[60]!.kind, 'spike');
  assert.equal(s[80]!.kind, 'drop');
  const drift = s.findIndex((p, i) => i >= 95 && p.anomaly);
  assert.ok(drift >= 95 && drift < 112, String(drift));
  const others = s.filter((p, i) => p.anomaly && i < 60);
  assert.deepEqual(others, []);
});

test('scores use only earlier points: any prefix scores exactly as the full series does', () => {
  const y = weekly(100);
  y[50] = 400;
  const full = detectAnomalies(y, { season: 'auto', stepMs: 86_400_000 });
  for (const cut of [20, 45, 51, 77]) {
    const part = detectAnomalies(y.slice(0, cut), { season: 'auto', stepMs: 86_400_000 });
    assert.deepEqual(part, full.slice(0, cut));
  }
});

test('in the first week only large departures count (rules only); from week one the weekly profile applies', () => {
  const y = weekly(40);
  y[3] = y[3]! * 4; // 4x anything seen before: flagged even cold
  y[4] = y[4]! * 1.5; // +50% on day 5: not enough without a season
  const s = detectAnomalies(y, { season: 7 });
  assert.equal(s[3]!.anomaly, true);
  assert.equal(s[4]!.anomaly, false);
  // Weekends are 40% lower; once a week is seen they are expected, not flagged.
  assert.ok(s.slice(7).every((p) => !p.anomaly));
});

test('a level shift is flagged at its start and then accepted as the new normal', () => {
  const y = weekly(120);
  for (let t = 70; t < 120; t++) y[t] = y[t]! * 2;
  const s = detectAnomalies(y, { season: 7 });
  assert.ok(s[70]!.anomaly);
  assert.ok(s.slice(90).every((p) => !p.anomaly));
});

test('a temporary rise that ends is not reported again as a drop when spend returns to normal', () => {
  const y = weekly(140);
  for (let t = 70; t < 90; t++) y[t] = y[t]! * 2;
  const s = detectAnomalies(y, { season: 7 });
  assert.ok(s[70]!.anomaly);
  assert.ok(s.slice(90).every((p) => p.kind !== 'drop'));
});

test('impact gates keep tiny changes quiet', () => {
  const y = weekly(60, 0.5);
  y[50] = 2; // 4x, but only $1.5
  assert.equal(detectAnomalies(y, { season: 7, minImpactAbs: 5 })[50]!.anomaly, false);
  assert.equal(detectAnomalies(y, { season: 7 })[50]!.anomaly, true);
});

test('attribution picks the dimension and values that explain the change', () => {
  const causes = attributeChange([
    { dimension: 'team', value: 'search', actual: 150, expected: 50 },
    { dimension: 'team', value: 'support', actual: 52, expected: 50 },
    { dimension: 'model', value: 'gpt-4o', actual: 101, expected: 50 },
    { dimension: 'model', value: 'mini', actual: 101, expected: 50 },
  ]);
  assert.equal(causes[0]!.dimension, 'team');
  assert.equal(causes[0]!.value, 'search');
  assert.equal(causes[0]!.contributionUsd, 100);
});

test('the volume, price and mix parts add up to the change', () => {
  const d = decomposeChange(
    [
      { model: 'a', costUsd: 10, tokens: 1000 },
      { model: 'b', costUsd: 1, tokens: 1000 },
    ],
    [
      { model: 'a', costUsd: 30, tokens: 3000 },
      { model: 'b', costUsd: 2, tokens: 1000 },
    ],
  );
  assert.ok(Math.abs(d.volumeUsd + d.priceUsd + d.mixUsd - (32 - 11)) < 1e-9);
  assert.ok(d.volumeUsd > 0 && d.mixUsd > 0);
  assert.ok(Math.abs(d.priceUsd - 1) < 1e-9); // b's unit price doubled on 1000 tokens
});

test('spend from cost exports is scanned per tag and names the team behind a spike', () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 1);
  const cells: SpendCell[] = [];
  for (let d = 0; d < 50; d++)
    for (const team of ['a', 'b'])
      cells.push({
        source: 'costs',
        bucket: t0 + d * day,
        dims: { team, model: 'gpt-4o' },
        costNanos: BigInt(Math.round((team === 'a' && d === 45 ? 500 : 100) * (1 + 0.02 * noise()) * 1e9)),
        tokens: 1000,
      });
  const found = scanSpendAnomalies(cells, { from: t0 + 30 * day, to: t0 + 50 * day, grain: 'day' });
  const all = found.find((a) => a.scope === 'all');
  assert.ok(all);
  assert.equal(all.source, 'costs');
  assert.equal(all.timestamp, new Date(t0 + 45 * day).toISOString());
  assert.equal(all.rootCause[0]?.dimension, 'team');
  assert.equal(all.rootCause[0]?.value, 'a');
  assert.ok(found.every((a) => a.timestamp === all.timestamp));
});

test('buckets after the last data, and a cost export newest (still filling) day, are not reported as drops', () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 1);
  const cells: SpendCell[] = [];
  for (let d = 0; d < 40; d++) {
    const base = { dims: { team: 'a' }, tokens: 1000, bucket: t0 + d * day };
    cells.push({ ...base, source: 'usage', costNanos: 100_000_000_000n });
    // The export's last day holds only a few hours so far.
    cells.push({ ...base, source: 'costs', costNanos: d === 39 ? 10_000_000_000n : 100_000_000_000n });
  }
  const found = scanSpendAnomalies(cells, { from: t0 + 20 * day, to: t0 + 45 * day, grain: 'day' });
  assert.deepEqual(found, []);
});

test('a runaway loop on a provisioned (PTU) deployment, invisible in cost, is priced at its capacity share, or gated by a token threshold when no price is known', () => {
  const hour = 3_600_000;
  const t0 = Date.UTC(2026, 0, 1);
  const cells: SpendCell[] = [];
  for (let h = 0; h < 24 * 21; h++) {
    const daily = 0.5 + 0.5 * Math.sin(((h % 24) / 24) * 2 * Math.PI);
    const loop = h >= 24 * 20 + 3 && h < 24 * 20 + 6 ? 8 : 1;
    // PTU traffic has zero marginal cost in the ledger: only its tokens can show a runaway loop.
    cells.push({
      source: 'usage',
      bucket: t0 + h * hour,
      dims: { deployment: 'gpt-4o-ptu', team: 'support' },
      costNanos: 0n,
      tokens: Math.round(20_000 * (0.2 + daily) * (1 + 0.03 * noise()) * loop),
    });
  }
  const window = { from: t0 + 24 * 20 * hour, to: t0 + 24 * 21 * hour, grain: 'hour' as const };
  // Without a capacity price, a token gate keeps small moves out: 1M tokens an hour by default.
  assert.deepEqual(scanSpendAnomalies(cells, window), []);
  // With the capacity's price per token ($50 per 1M tokens), the loop is priced at its share of the capacity.
  const priced = scanSpendAnomalies(cells, { ...window, capacityUsdPerToken: 50e-6 });
  const dollars = priced.find((a) => a.scope === 'all');
  assert.ok(dollars && dollars.pricing === 'capacity-share' && dollars.impactUsd > 5, JSON.stringify(priced));
  const found = scanSpendAnomalies(cells, { ...window, minImpactTokens: 50_000 });
  const hit = found.find((a) => a.scope === 'all' && a.metric === 'tokens');
  assert.ok(hit, `found ${JSON.stringify(found.map((a) => [a.scope, a.metric, a.timestamp]))}`);
  assert.equal(hit.timestamp, new Date(t0 + (24 * 20 + 3) * hour).toISOString());
  assert.ok(
    found.every((a) => a.metric === 'tokens'),
    'nothing is reported in dollars for a $0 scope',
  );
});
