import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { countChatTokens, countTextTokens, lookupPrice, lookupPtuSpec } from '../src/catalog/index.js';
import { runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-estimate-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Month {
  month: number;
  conversations: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  tokenCostUsd: number;
  fixedCostUsd: number;
  totalCostUsd: number;
}
interface Option {
  model: string;
  deployment: string;
  months: Month[];
  totalCostUsd: number;
  ptu?: { units: number; utilization: number; breakEvenUtilization: number };
}
interface Out {
  options: Option[];
  cheapest: { model: string; deployment: string };
}

const base = {
  name: 'test',
  horizonMonths: 4,
  traffic: {
    visitorsPerMonth: 150000,
    interactionRate: 0.08,
    conversationsPerUser: 1.5,
    monthlyGrowth: 0.1,
    peakToAverage: 4,
  },
  conversation: { turns: 5, systemTokens: 350, userTokensPerTurn: 70, assistantTokensPerTurn: 220 },
  history: 'window:3',
  promptCacheRate: 0.25,
  responseCacheHitRate: 0,
  options: [
    { model: 'gpt-4.1', deployment: 'global-standard' },
    { model: 'gpt-4.1-mini', deployment: 'data-zone' },
    { model: 'gpt-4.1', deployment: 'provisioned', ptu: 'auto', reservation: '1-year' },
  ],
  fixed: [{ service: 'ai-search', sku: 'S1', units: 2 }],
};

function write(name: string, scenario: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, stringify(scenario));
  return p;
}

const usd = (nanos: bigint) => Number(nanos) / 1e9;

test('estimate --json follows the traffic, history and pricing definitions for pay-as-you-go options', async () => {
  const r = await runCli(['estimate', '--scenario', write('a.yaml', base), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<Out>();
  assert.equal(out.options.length, 3);
  const { systemTokens: s, userTokensPerTurn: u, assistantTokensPerTurn: a, turns } = base.conversation;
  let inputPerConv = 0;
  for (let k = 1; k <= turns; k++) inputPerConv += s + Math.min(k - 1, 3) * (u + a) + u;
  const fixed = 2 * 0.336 * 730;
  for (const [i, opt] of out.options.slice(0, 2).entries()) {
    const spec = base.options[i]!;
    const price = lookupPrice({ model: spec.model, deployment: spec.deployment })!;
    assert.equal(opt.months.length, 4);
    for (const m of opt.months) {
      const t = base.traffic;
      const conv =
        t.visitorsPerMonth *
        (1 + t.monthlyGrowth) ** (m.month - 1) *
        t.interactionRate *
        t.conversationsPerUser;
      assert.ok(Math.abs(m.conversations - conv) < 1e-6, `conversations month ${m.month}`);
      assert.ok(Math.abs(m.inputTokens - conv * inputPerConv) <= 1);
      assert.ok(Math.abs(m.outputTokens - conv * turns * a) <= 1);
      assert.ok(Math.abs(m.cachedInputTokens - m.inputTokens * 0.25) <= 1);
      const expected =
        ((m.inputTokens - m.cachedInputTokens) * usd(price.inputNanosPerMTok) +
          m.cachedInputTokens * usd(price.cachedInputNanosPerMTok!) +
          m.outputTokens * usd(price.outputNanosPerMTok)) /
        1e6;
      assert.ok(Math.abs(m.tokenCostUsd - expected) < 1e-6, `token cost month ${m.month}`);
      assert.ok(Math.abs(m.fixedCostUsd - fixed) < 1e-9);
      assert.ok(Math.abs(m.totalCostUsd - (m.tokenCostUsd + m.fixedCostUsd)) < 1e-9);
    }
    const total = opt.months.reduce((x, m) => x + m.totalCostUsd, 0);
    assert.ok(Math.abs(opt.totalCostUsd - total) < 1e-6);
  }
  const min = Math.min(...out.options.map((o) => o.totalCostUsd));
  const cheapest = out.options.find((o) => o.totalCostUsd === min)!;
  assert.deepEqual(
    { model: out.cheapest.model, deployment: out.cheapest.deployment },
    { model: cheapest.model, deployment: cheapest.deployment },
  );
});

test('estimate sizes PTUs from peak input-equivalent load and reports utilization and break-even', async () => {
  const r = await runCli(['estimate', '--scenario', write('b.yaml', base), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const ptuOpt = r.json<Out>().options[2]!;
  const spec = lookupPtuSpec({ model: 'gpt-4.1', deployment: 'provisioned' })!;
  assert.ok(ptuOpt.ptu);
  let maxUnits = 0;
  for (const m of ptuOpt.months) {
    const ie = m.inputTokens - m.cachedInputTokens + spec.outputRatio * m.outputTokens;
    const peak = (ie / (730 * 60)) * base.traffic.peakToAverage;
    const units = Math.max(spec.minPtu, Math.ceil(peak / spec.inputTpmPerPtu / spec.stepPtu) * spec.stepPtu);
    maxUnits = Math.max(maxUnits, units);
    assert.ok(Math.abs(m.tokenCostUsd - (units * usd(spec.yearlyReservationNanos)) / 12) < 1e-6);
  }
  assert.equal(ptuOpt.ptu.units, maxUnits);
  assert.ok(ptuOpt.ptu.utilization > 0 && ptuOpt.ptu.utilization <= 1);
  assert.ok(ptuOpt.ptu.breakEvenUtilization > 0);
});

test('a missing or negative scenario field is named', async () => {
  const neg = await runCli([
    'estimate',
    '--scenario',
    write('neg.yaml', { ...base, traffic: { ...base.traffic, visitorsPerMonth: -5 } }),
  ]);
  assert.notEqual(neg.code, 0);
  assert.match(neg.stderr, /traffic\.visitorsPerMonth/);
  const { horizonMonths: _h, ...noHorizon } = base;
  const missing = await runCli(['estimate', '--scenario', write('missing.yaml', noHorizon)]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /horizonMonths/);
});

test('an unknown model lists close matches and a missing price is reported, not zero', async () => {
  const typo = await runCli([
    'estimate',
    '--scenario',
    write('typo.yaml', { ...base, options: [{ model: 'gpt-4.1-mimi', deployment: 'global-standard' }] }),
  ]);
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /gpt-4\.1-mini/);
  const noPrice = await runCli([
    'estimate',
    '--scenario',
    write('np.yaml', { ...base, options: [{ model: 'o1', deployment: 'fine-tuned' }] }),
  ]);
  assert.notEqual(noPrice.code, 0);
  assert.match(noPrice.stderr, /no price for o1 on deployment type fine-tuned/);
});

test('a sample conversation file is counted exactly and --csv prints a row per option and month', async () => {
  const messages = [
    { role: 'system', content: 'You are the support assistant for Contoso. Be brief.' },
    { role: 'user', content: 'My invoice looks wrong.' },
    { role: 'assistant', content: 'Sorry to hear that. Which invoice number?' },
    { role: 'user', content: 'INV-2291 from March.' },
    { role: 'assistant', content: 'I see a duplicate line for seats; I have opened a credit request.' },
  ];
  writeFileSync(join(dir, 'sample.json'), JSON.stringify(messages));
  const scenario = {
    ...base,
    horizonMonths: 2,
    history: 'full',
    promptCacheRate: 0,
    conversation: { file: 'sample.json' },
    options: [{ model: 'gpt-4o', deployment: 'global-standard' }],
    fixed: [],
  };
  const path = write('file.yaml', scenario);
  const r = await runCli(['estimate', '--scenario', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const m1 = r.json<Out>().options[0]!.months[0]!;
  const perConvInput =
    countChatTokens('gpt-4o', messages.slice(0, 2)) + countChatTokens('gpt-4o', messages.slice(0, 4));
  const perConvOutput =
    countTextTokens('gpt-4o', messages[2]!.content) + countTextTokens('gpt-4o', messages[4]!.content);
  assert.equal(m1.inputTokens, Math.round(m1.conversations * perConvInput));
  assert.equal(m1.outputTokens, Math.round(m1.conversations * perConvOutput));
  const csv = await runCli(['estimate', '--scenario', path, '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines.length, 1 + 2);
  assert.match(lines[0]!, /^option,model,deployment,month/);
});
