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

test('the bound covers embeddings inputs, token ids one token each', () => {
  for (const text of samples) {
    assert.ok(promptTokenBound({ input: text }) >= countTextTokens('text-embedding-3-small', text));
    assert.ok(
      promptTokenBound({ input: [text, text] }) >= 2 * countTextTokens('text-embedding-3-small', text),
    );
  }
  const ids = promptTokenBound({ input: [[1, 2, 3], 4] });
  assert.ok(ids >= 4 && ids < 4 + 40, `token ids counted one each (+ framing), got ${ids}`);
});

test('class 2: the bound counts every billable part of a request, however it is typed', () => {
  const text = samples[2]!;
  const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: text,
        parameters: { type: 'object', properties: { city: { type: 'string', description: text } } },
      },
    },
  ];
  // Tools: at least what the tokenizer counts for messages + tool definitions.
  assert.ok(promptTokenBound({ ...base, tools }) >= countChatTokens('gpt-4o', base.messages, tools), 'tools');
  const partOf = (extra: Record<string, unknown>) =>
    promptTokenBound({ ...base, ...extra }) - promptTokenBound(base);
  const exact = countTextTokens('gpt-4o', text);
  for (const extra of [
    { functions: [{ name: 'f', description: text }] },
    { response_format: { type: 'json_schema', json_schema: { name: 's', schema: { description: text } } } },
    { prediction: { type: 'content', content: text } },
    { instructions: text },
    { some_future_field: { nested: [text] } },
  ])
    assert.ok(partOf(extra) >= exact, Object.keys(extra)[0]);
  // Content typed as an object rather than a string or a list still counts.
  assert.ok(
    promptTokenBound({ messages: [{ role: 'user', content: { type: 'text', text } }] }) >= exact,
    'object content',
  );
});

test('class 2: images, audio and files count by their token rules, not their bytes', () => {
  const media = { imageTokens: 1445, contextTokens: 128_000 };
  const img = (part: Record<string, unknown>) =>
    promptTokenBound({ messages: [{ role: 'user', content: [part] }] }, media);
  // A 2 MB data URL is one image, and an image by URL (size unknown) is the largest the model bills.
  const dataUrl = `data:image/png;base64,${'A'.repeat(2_000_000)}`;
  for (const part of [
    { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
    { type: 'image_url', image_url: { url: dataUrl } },
    { type: 'input_image', image_url: 'https://example.com/b.png' },
  ]) {
    const b = img(part);
    assert.ok(b >= 1445 && b < 1600, `${JSON.stringify(part).slice(0, 40)}: ${b}`);
  }
  assert.ok(img({ type: 'input_audio', input_audio: { data: 'A'.repeat(16_000), format: 'mp3' } }) >= 1000);
  assert.ok(img({ type: 'file', file: { file_id: 'file-1' } }) >= 128_000);
});
