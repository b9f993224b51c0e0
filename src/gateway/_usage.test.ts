import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, deltaText, findUsage } from './_usage.js';

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

test('class 5: the text of an answer without usage is found in every shape, ids and enums left out', () => {
  const chat = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: {
          role: 'assistant',
          content: [{ type: 'text', text: 'Hello' }],
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
      },
    ],
  };
  assert.equal(answerText(chat), 'Hellof{"a":1}');
  const responses = {
    id: 'resp_1',
    output: [
      { type: 'message', id: 'm', status: 'completed', content: [{ type: 'output_text', text: 'Hi' }] },
    ],
  };
  assert.equal(answerText(responses), 'Hi');
  assert.equal(answerText({ object: 'list', data: [] }), '');
});
