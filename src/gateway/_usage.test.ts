import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deltaText, findUsage } from './_usage.js';

test('chat and responses usage shapes both parse with cached and reasoning details', () => {
  const chat = findUsage({
    usage: {
      prompt_tokens: 100,
      completion_tokens: 50,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 20 },
    },
  });
  assert.deepEqual(chat, {
    inputTokens: 100,
    cachedInputTokens: 40,
    outputTokens: 50,
    reasoningTokens: 20,
    source: 'reported',
  });
  const resp = findUsage({
    type: 'response.completed',
    response: {
      usage: {
        input_tokens: 9,
        output_tokens: 4,
        input_tokens_details: { cached_tokens: 3 },
        output_tokens_details: { reasoning_tokens: 1 },
      },
    },
  });
  assert.deepEqual(resp, {
    inputTokens: 9,
    cachedInputTokens: 3,
    outputTokens: 4,
    reasoningTokens: 1,
    source: 'reported',
  });
});

test('cached above input is clamped and a missing usage is null', () => {
  assert.equal(
    findUsage({
      usage: { prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 9 } },
    })?.cachedInputTokens,
    5,
  );
  assert.equal(findUsage({ usage: null }), null);
  assert.equal(findUsage({ choices: [] }), null);
});

test('delivered text includes content, tool-call arguments and Responses deltas', () => {
  assert.equal(
    deltaText({
      choices: [
        { delta: { content: 'ab' } },
        { delta: { tool_calls: [{ function: { arguments: '{"x"' } }] } },
      ],
    }),
    'ab{"x"',
  );
  assert.equal(deltaText({ type: 'response.output_text.delta', delta: 'hi' }), 'hi');
});
