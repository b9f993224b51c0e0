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
