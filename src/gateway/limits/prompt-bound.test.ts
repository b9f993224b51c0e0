import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChatTokens, countTextTokens } from '../../catalog/index.js';
import { promptTokenBound } from './prompt-bound.js';

const samples = [
  'hello',
  'The quick brown fox jumps over the lazy dog. '.repeat(20),
  'Zürich, København, 東京, Москва — naïve café 😀🎉 '.repeat(10),
  'function f(x) { return x.map((y) => y * 2).filter(Boolean); }\n'.repeat(8),
  '  \n\n\t  lots   of    whitespace  \n',
  'a'.repeat(999),
  '0123456789'.repeat(50),
];

test('the byte bound is never below the exact chat token count', () => {
  for (const model of ['gpt-4o', 'gpt-4', 'gpt-4o-mini']) {
    for (const text of samples) {
      const body = {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: text, name: 'ana' },
          { role: 'assistant', content: text.slice(0, 50) },
          { role: 'user', content: [{ type: 'text', text }] },
        ],
      };
      const bound = promptTokenBound(body);
      assert.ok(bound !== null);
      assert.ok(
        bound >= countChatTokens(model, body.messages),
        `${model}: ${bound} < exact for ${text.slice(0, 20)}`,
      );
    }
  }
});

test('the bound covers embeddings inputs and says null for parts it cannot bound', () => {
  for (const text of samples) {
    assert.ok(promptTokenBound({ input: text })! >= countTextTokens('text-embedding-3-small', text));
    assert.ok(
      promptTokenBound({ input: [text, text] })! >= 2 * countTextTokens('text-embedding-3-small', text),
    );
  }
  assert.equal(promptTokenBound({ input: [[1, 2, 3], 4] }), 4 + 3);
  assert.equal(
    promptTokenBound({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    }),
    null,
  );
});
