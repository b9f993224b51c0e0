import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from '../core/index.js';
import {
  countChatTokens,
  countTextTokens,
  fineTunedHostingPerHour,
  imageTokens,
  lookupTrainingPrice,
  lookupPrice,
  lookupPtuSpec,
  lookupServicePrice,
  priceUsage,
  resolveModel,
} from './index.js';

test('an alias resolves to its dated model and family', () => {
  const m = resolveModel('gpt-4o');
  assert.equal(m.id, 'gpt-4o-2024-08-06');
  assert.equal(m.family, 'gpt-4o');
  assert.equal(resolveModel('azure/gpt-4.1-mini').provider, 'azure');
  assert.equal(resolveModel('gpt-4o-2030-01-01').family, 'gpt-4o');
});

test('an unknown model throws not_found listing close matches', () => {
  assert.throws(
    () => resolveModel('gpt-4o-mni'),
    (e: unknown) => e instanceof TallyError && e.code === 'not_found' && e.message.includes('gpt-4o-mini'),
  );
});

test('an unknown deployment type lists close matches', () => {
  assert.throws(
    () => lookupPrice({ model: 'gpt-4o', deployment: 'glbal' }),
    (e: unknown) => e instanceof TallyError && e.message.includes('global-standard'),
  );
});

test('Azure deployment types derive from Global Standard with documented ratios', () => {
  const g = lookupPrice({ model: 'gpt-4o', deployment: 'global-standard' })!;
  const dz = lookupPrice({ model: 'gpt-4o', deployment: 'DataZoneStandard' })!;
  const batch = lookupPrice({ model: 'gpt-4o', deployment: 'batch' })!;
  assert.equal(g.inputNanosPerMTok, 2_500_000_000n);
  assert.equal(dz.inputNanosPerMTok, (g.inputNanosPerMTok * 11n) / 10n);
  assert.equal(batch.outputNanosPerMTok, g.outputNanosPerMTok / 2n);
  assert.ok(g.effectiveFrom && g.source);
});

test('a lookup at a past date returns the price in effect then', () => {
  const before = lookupPrice({
    model: 'o3',
    deployment: 'standard',
    provider: 'openai',
    at: new Date('2025-05-01'),
  })!;
  const after = lookupPrice({
    model: 'o3',
    deployment: 'standard',
    provider: 'openai',
    at: new Date('2025-07-01'),
  })!;
  assert.equal(before.inputNanosPerMTok, 10_000_000_000n);
  assert.equal(after.inputNanosPerMTok, 2_000_000_000n);
  assert.equal(
    lookupPrice({ model: 'gpt-5', deployment: 'global-standard', at: new Date('2024-01-01') }),
    null,
  );
});

test('usage is priced exactly with cached input and reasoning inside output, once', () => {
  const usage = { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 300, reasoningTokens: 200 };
  const r = priceUsage(usage, { model: 'gpt-4.1', deployment: 'global-standard' });
  // 600 x $2 + 400 x $0.50 + 300 x $8 per 1M = 0.0012 + 0.0002 + 0.0024
  assert.equal(r.listCostNanos, 3_800_000n);
  assert.equal(r.costNanos, r.listCostNanos);
});

test('a discount turns list into effective cost and the most specific discount wins', () => {
  const usage = { inputTokens: 1_000_000, cachedInputTokens: 0, outputTokens: 0 };
  const r = priceUsage(usage, { model: 'gpt-4o', deployment: 'global-standard' }, [
    { provider: 'azure', percent: 10 },
    { model: 'gpt-4o', percent: 12.5 },
  ]);
  assert.equal(r.listCostNanos, 2_500_000_000n);
  assert.equal(r.costNanos, 2_187_500_000n);
});

test('provisioned requests cost nothing per token and a missing price is an error, not zero', () => {
  const usage = { inputTokens: 5000, cachedInputTokens: 0, outputTokens: 5000 };
  assert.equal(priceUsage(usage, { model: 'gpt-4o', deployment: 'provisioned' }).costNanos, 0n);
  assert.throws(
    () => priceUsage(usage, { model: 'o1', deployment: 'fine-tuned' }),
    (e: unknown) => e instanceof TallyError && e.code === 'not_found' && e.message.includes('fine-tuned'),
  );
});

test('Anthropic cache writes are billed at the cache-write price', () => {
  const r = priceUsage(
    { inputTokens: 2_000_000, cachedInputTokens: 0, cacheWriteTokens: 1_000_000, outputTokens: 0 },
    { model: 'claude-sonnet-4-5', deployment: 'standard' },
  );
  assert.equal(r.listCostNanos, 3_000_000_000n + 3_750_000_000n);
});

test('PTU specs carry sizing and reservation prices per deployment type', () => {
  const g = lookupPtuSpec({ model: 'gpt-4o', deployment: 'provisioned' })!;
  const r = lookupPtuSpec({ model: 'gpt-4o', deployment: 'regional-provisioned' })!;
  assert.equal(g.minPtu, 15);
  assert.equal(r.minPtu, 50);
  assert.equal(g.inputTpmPerPtu, 2500);
  assert.ok(r.hourlyNanos > g.hourlyNanos);
});

test('SKU services are priced per unit and unknown SKUs list alternatives', () => {
  assert.equal(lookupServicePrice({ service: 'ai-search', sku: 's1' }).priceNanos, 336_000_000n);
  assert.throws(() => lookupServicePrice({ service: 'ai-search', sku: 'S9' }), /S1|S2|S3/);
});

test('token counts match the tiktoken encodings and chat overhead follows the cookbook', () => {
  const text = 'Hello, world! 你好';
  const n = countTextTokens('gpt-4o', text);
  assert.ok(n > 0);
  const msgs = [
    { role: 'system', content: text },
    { role: 'user', name: 'ann', content: text },
  ];
  // 2 messages x 3 + role tokens + content + name + 1 per name + 3 to prime
  const expected =
    3 * 2 +
    3 +
    countTextTokens('gpt-4o', 'system') +
    countTextTokens('gpt-4o', 'user') +
    2 * n +
    countTextTokens('gpt-4o', 'ann') +
    1;
  assert.equal(countChatTokens('gpt-4o', msgs), expected);
  assert.notEqual(
    countTextTokens('gpt-4', 'ééé 😀 tokens'),
    countTextTokens('gpt-4o', 'ééé 😀 tokens') + 100,
  );
});

test('image tokens follow the tile formula', () => {
  assert.equal(imageTokens('gpt-4o', 1024, 1024, 'low'), 85);
  assert.equal(imageTokens('gpt-4o', 1024, 1024), 85 + 170 * 4);
  assert.equal(imageTokens('gpt-4o', 2048, 4096), 85 + 170 * 6);
});

test('chat counts equal the OpenAI cookbook figures the API reported (129 on gpt-4, 124 on gpt-4o)', () => {
  const messages = [
    {
      role: 'system',
      content:
        'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
    },
    { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
    {
      role: 'system',
      name: 'example_assistant',
      content: 'Things working well together will increase revenue.',
    },
    {
      role: 'system',
      name: 'example_user',
      content:
        "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
      role: 'system',
      name: 'example_assistant',
      content: "Let's talk later when we're less busy about how to do better.",
    },
    {
      role: 'user',
      content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
  ];
  assert.equal(countChatTokens('gpt-4', messages), 129);
  assert.equal(countChatTokens('gpt-4o', messages), 124);
});

test('image parts in chat messages are counted with the tile formula from the image size', () => {
  // A 1x1 PNG header claiming 1600x1200: fit 2048 -> short side 768 -> 1024x768 -> 2x2 tiles.
  const png = Buffer.alloc(33);
  png.writeUInt32BE(0x89504e47, 0);
  png.writeUInt32BE(0x0d0a1a0a, 4);
  png.writeUInt32BE(13, 8);
  png.write('IHDR', 12, 'ascii');
  png.writeUInt32BE(1600, 16);
  png.writeUInt32BE(1200, 20);
  const url = `data:image/png;base64,${png.toString('base64')}`;
  const text = [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }] }];
  const withImage = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url } },
      ],
    },
  ];
  const low = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url, detail: 'low' } },
      ],
    },
  ];
  assert.equal(countChatTokens('gpt-4o', withImage) - countChatTokens('gpt-4o', text), 85 + 170 * 4);
  assert.equal(countChatTokens('gpt-4o', low) - countChatTokens('gpt-4o', text), 85);
});

test('fine-tuning training has a price only where one is verified', () => {
  assert.equal(lookupTrainingPrice({ model: 'o4-mini', method: 'rft' })?.priceNanos, 100_000_000_000n);
  assert.equal(lookupTrainingPrice({ model: 'gpt-4.1', method: 'sft' }), null);
  assert.equal(fineTunedHostingPerHour().priceNanos, 1_700_000_000n);
});
