import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promptPrefixHash, promptPrefixText } from './_prefix.js';

// About 1,500 tokens of varied English text: long enough for a 1,024-token prefix.
const SYSTEM = Array.from({ length: 300 }, (_, i) => `Rule ${i}: answer politely about topic ${i * 7}.`).join(
  ' ',
);
const chat = (system: string, question: string) => ({
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ],
});

test('two prompts that share their first 1,024 tokens get the same fingerprint whatever follows', () => {
  const a = promptPrefixHash('chat', chat(SYSTEM, 'What is my balance?'), 'gpt-4o', 'salt');
  const b = promptPrefixHash('chat', chat(SYSTEM, 'Close my account.'), 'gpt-4o', 'salt');
  assert.ok(a);
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.equal(a, b);
});

test('a change inside the first 1,024 tokens changes the fingerprint', () => {
  const a = promptPrefixHash('chat', chat(SYSTEM, 'q'), 'gpt-4o', 'salt');
  const b = promptPrefixHash('chat', chat(`Today is 2026-12-02. ${SYSTEM}`, 'q'), 'gpt-4o', 'salt');
  assert.notEqual(a, b);
});

test('the salt changes every fingerprint, so two stores never share them', () => {
  const body = chat(SYSTEM, 'q');
  assert.notEqual(
    promptPrefixHash('chat', body, 'gpt-4o', 'one'),
    promptPrefixHash('chat', body, 'gpt-4o', 'two'),
  );
});

test('a prompt shorter than 1,024 tokens, an embedding, or an unknown model gets no fingerprint', () => {
  assert.equal(promptPrefixHash('chat', chat('Be brief.', 'hi'), 'gpt-4o', 's'), null);
  assert.equal(promptPrefixHash('embeddings', { input: SYSTEM }, 'text-embedding-3-small', 's'), null);
  assert.equal(promptPrefixHash('chat', chat(SYSTEM, 'q'), 'no-such-model-xyz', 's'), null);
});

test('the prefix puts tool definitions first and reads text parts, as the provider caches them', () => {
  const text = promptPrefixText('chat', {
    tools: [{ type: 'function', function: { name: 'lookup' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
  });
  assert.ok(text?.startsWith('[{"type":"function"'));
  assert.ok(text?.endsWith('<user>hello'));
  assert.equal(promptPrefixText('responses', { instructions: 'Be kind', input: 'hi' }), 'Be kind\nhi');
});

test('fingerprints remembered by their head equal those computed from the tokens, whatever the prompt length', async () => {
  const { createHash } = await import('node:crypto');
  const { leadingTokens } = await import('../catalog/index.js');
  // The fingerprint as defined: SHA-256 of the salt and the first 1,024 token ids of the whole prefix text.
  const reference = (body: Record<string, unknown>): string | null => {
    const ids = leadingTokens('o200k_base', promptPrefixText('chat', body)!, 1024);
    if (!ids) return null;
    const bytes = Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength);
    return createHash('sha256').update('salt').update(bytes).digest('hex').slice(0, 32);
  };
  const longTokens = Array.from({ length: 900 }, (_, i) => `Supercalifragilistic${i}`).join('');
  const bodies = [
    chat(SYSTEM, 'What is my balance?'), // head of 6,144 characters decides
    chat(SYSTEM, 'Close my account.'), // same head: answered from memory
    chat(SYSTEM.slice(0, 5000), 'short tail'), // the whole text decides
    chat(SYSTEM.slice(0, 6144 - '<system>\n<user>x'.length), 'x'), // exactly the head's length
    chat(SYSTEM.slice(0, 6144 - '<system>\n<user>x'.length), 'x and more after the head'),
    chat(longTokens, 'q'), // fewer than 1,025 tokens in the head: the whole text decides
    // Exactly 6,144 characters and 1,024 tokens, then the same head with more after it (where the last token
    // of the head may grow): the two must not share a remembered fingerprint.
    chat(' hello'.repeat(1016), ' '.repeat(33)),
    chat(' hello'.repeat(1016), `${' '.repeat(33)}Zebra crossings and more text after the head`),
    chat('Be brief.', 'hi'), // too short: none
  ];
  assert.equal(promptPrefixText('chat', bodies[6]!)!.length, 6144);
  for (let round = 0; round < 2; round++)
    for (const b of bodies) assert.equal(promptPrefixHash('chat', b, 'gpt-4o', 'salt'), reference(b));
});
