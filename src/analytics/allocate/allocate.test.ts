import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUsd } from '../../core/index.js';
import { allocateCosts, DEFAULT_RULES } from './allocate.js';
import { normalizeModel } from './_match.js';
import type { AllocationSettings, ConsumerUsage, CostRow } from './_types.js';

const settings = (rules = DEFAULT_RULES): AllocationSettings => ({
  rules,
  unallocatedLabel: 'unallocated',
  outputTokenWeight: 4,
  cachedTokenWeight: 0,
});

const row = (index: number, v: Record<string, string>): CostRow => ({ index, values: v });
const use = (
  team: string,
  deployment: string,
  input: number,
  output: number,
  cost: string,
): ConsumerUsage => ({
  team,
  costCenter: null,
  app: null,
  environment: null,
  deployment,
  upstream: null,
  model: 'gpt-4o-2024-08-06',
  deploymentType: 'global-standard',
  requests: 1,
  inputTokens: BigInt(input),
  cachedInputTokens: 0n,
  outputTokens: BigInt(output),
  costNanos: parseUsd(cost),
  listCostNanos: parseUsd(cost),
});

test('export cost beyond what the gateway metered stays unallocated instead of landing on gateway users', () => {
  const rows = [
    row(0, { ResourceName: 'd1', x_AiTokenType: 'input', x_AiModel: 'gpt-4o', EffectiveCost: '30' }),
  ];
  const usage = [use('a', 'd1', 100, 0, '5'), use('b', 'd1', 100, 0, '5')];
  const r = allocateCosts(rows, usage, settings());
  const byTeam = (t: string) =>
    r.pieces.filter((p) => p.consumer?.team === t).reduce((a, p) => a + p.nanos, 0n);
  // Metered $10 of $30 billed: $10 goes to the teams (5 each), $20 is traffic outside the gateway.
  assert.equal(byTeam('a'), parseUsd('5'));
  assert.equal(byTeam('b'), parseUsd('5'));
  assert.equal(r.unallocatedNanos, parseUsd('20'));
  assert.equal(r.totalNanos, parseUsd('30'));
});

test('every row is split into pieces that add up to it exactly, for awkward amounts and many consumers', () => {
  const usage = Array.from({ length: 7 }, (_, i) =>
    use(`t${i}`, i % 2 ? 'd1' : 'ptu', 1000 + i * 337, 13 * i, '0.000000001'),
  );
  usage.forEach((u, i) => Object.assign(u, { deploymentType: i % 2 ? 'global-standard' : 'provisioned' }));
  const rows = [
    row(0, { ResourceName: 'd1', x_AiTokenType: 'output', x_AiModel: 'gpt-4o', EffectiveCost: '0.0000001' }),
    row(1, { ResourceName: 'ptu', x_AiDeploymentType: 'provisioned', EffectiveCost: '1234.5678901234' }),
    row(2, { ResourceName: 'ptu', x_AiDeploymentType: 'provisioned', EffectiveCost: '-3.333333333' }),
    row(3, { ServiceName: 'Search', EffectiveCost: '10' }),
  ];
  const r = allocateCosts(rows, usage, settings());
  for (const cr of rows) {
    const sum = r.pieces.filter((p) => p.rowIndex === cr.index).reduce((a, p) => a + p.nanos, 0n);
    assert.equal(sum, parseUsd(cr.values['EffectiveCost']!), `row ${cr.index}`);
  }
  assert.equal(r.exportNanos, parseUsd('1234.5678901234') - parseUsd('3.333333333') + parseUsd('10') + 100n);
});

test('fixed shares below one leave the remainder unallocated and even splits ignore token volume', () => {
  const rows = [
    row(0, { ServiceName: 'Azure AI Search', EffectiveCost: '100' }),
    row(1, { ServiceName: 'Speech', EffectiveCost: '9' }),
  ];
  const usage = [use('a', 'd1', 1, 0, '0'), use('b', 'd1', 1000, 0, '0'), use('c', 'd1', 5, 0, '0')];
  const r = allocateCosts(
    rows,
    usage,
    settings([
      {
        match: { ServiceName: ['azure ai search'] },
        by: 'fixed',
        shares: { a: 0.5, b: 0.25 },
        dimension: 'team',
      },
      { match: { ServiceName: ['Speech'] }, by: 'even', dimension: 'team' },
    ]),
  );
  const get = (row: number, t: string | null) =>
    r.pieces
      .filter((p) => p.rowIndex === row && (p.consumer?.team ?? null) === t)
      .reduce((a, p) => a + p.nanos, 0n);
  assert.equal(get(0, 'a'), parseUsd('50'));
  assert.equal(get(0, 'b'), parseUsd('25'));
  assert.equal(get(0, null), parseUsd('25'));
  for (const t of ['a', 'b', 'c']) assert.equal(get(1, t), parseUsd('3'));
});

test('model names from meters and from the ledger meet at the model family', () => {
  assert.equal(normalizeModel('gpt-4o-2024-08-06'), 'gpt-4o');
  assert.equal(normalizeModel('GPT-4o-0806'), 'gpt-4o');
  assert.equal(normalizeModel('gpt-4o-mini-2024-07-18'), 'gpt-4o-mini');
  assert.notEqual(normalizeModel('gpt-4o-mini'), normalizeModel('gpt-4o'));
});

test('an account-level meter goes to the gateway traffic on that account and model, not to other accounts', () => {
  const on = (team: string, upstream: string, deployment: string, model: string) => ({
    ...use(team, deployment, 1000, 0, '1'),
    upstream,
    model,
  });
  // Two accounts both serve gpt-4.1-mini; the export names the account, never the deployment.
  const usage = [
    on('claims', 'aoai-claims', 'extract-41-mini', 'gpt-4.1-mini-2025-04-14'),
    on('support', 'aoai-support', 'summarise-41-mini', 'gpt-4.1-mini-2025-04-14'),
    on('support', 'aoai-support', 'chat-4o-mini', 'gpt-4o-mini-2024-07-18'),
  ];
  const acct = (i: number, name: string, model: string, cost: string) =>
    row(i, {
      ResourceName: name,
      x_AiModel: model,
      x_AiTokenType: 'input',
      x_AiDeploymentType: 'global-standard',
      EffectiveCost: cost,
    });
  const rows = [
    acct(0, 'aoai-support', 'gpt-4.1-mini', '0.8'),
    acct(1, 'aoai-claims', 'gpt-4.1-mini', '0.9'),
    acct(2, 'aoai-claims', 'o4-mini', '5'), // a model nobody sent through the gateway on this account
  ];
  const r = allocateCosts(rows, usage, settings());
  const of = (i: number) =>
    r.pieces.filter((p) => p.rowIndex === i).map((p) => [p.consumer?.team ?? null, p.nanos]);
  assert.deepEqual(of(0), [['support', parseUsd('0.8')]]);
  assert.deepEqual(of(1), [['claims', parseUsd('0.9')]]);
  assert.deepEqual(of(2), [[null, parseUsd('5')]]);
});

test('cost no gateway usage explains goes to the owner its resource tags name; fixed-share remainders do not', () => {
  const usage = [use('a', 'd1', 100, 0, '5')];
  const rows = [
    row(0, {
      ResourceName: 'search-svc',
      ServiceName: 'Search',
      EffectiveCost: '50',
      Tags: '{"Team":"search","cost-center":"CC-9","env":"prod"}',
    }),
    row(1, {
      ResourceName: 'd1',
      x_AiTokenType: 'input',
      x_AiModel: 'gpt-4o',
      EffectiveCost: '30',
      Tags: '{"team":"owner"}',
    }),
    row(2, { ServiceName: 'Speech', EffectiveCost: '10', Tags: '{"team":"speech-owner"}' }),
    row(3, { ServiceName: 'Nothing', EffectiveCost: '4', Tags: '{"env":"prod"}' }),
  ];
  const r = allocateCosts(
    rows,
    usage,
    settings([{ match: { ServiceName: ['Speech'] }, by: 'fixed', shares: { a: 0.5 }, dimension: 'team' }]),
  );
  const of = (i: number) =>
    r.pieces.filter((p) => p.rowIndex === i).map((p) => [p.consumer?.team ?? null, p.method, p.nanos]);
  assert.deepEqual(of(0), [['search', 'tag', parseUsd('50')]]);
  assert.equal(r.pieces.find((p) => p.rowIndex === 0)!.consumer!.costCenter, 'CC-9');
  // $5 metered by team a; the other $25 on the owner's deployment never passed the gateway.
  assert.deepEqual(of(1), [
    ['a', 'direct', parseUsd('5')],
    ['owner', 'tag', parseUsd('25')],
  ]);
  assert.deepEqual(of(2), [
    ['a', 'fixed', parseUsd('5')],
    [null, 'none', parseUsd('5')],
  ]);
  assert.deepEqual(of(3), [[null, 'none', parseUsd('4')]]);
});
