import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trimMessages } from './_trim.js';

const sys = { role: 'system', content: 'be brief' };
const u = (n: number) => ({ role: 'user', content: `q${n}` });
const a = (n: number) => ({ role: 'assistant', content: `a${n}` });

test('trimming keeps the system prompt and the last N turns', () => {
  const msgs = [sys, u(1), a(1), u(2), a(2), u(3)];
  const r = trimMessages(msgs, 2);
  assert.deepEqual(r.messages, [sys, u(2), a(2), u(3)]);
  assert.equal(r.removed, 2);
});

test('a history that already fits is left alone', () => {
  const msgs = [sys, u(1), a(1), u(2)];
  assert.deepEqual(trimMessages(msgs, 2), { messages: msgs, removed: 0 });
});

test('tool calls stay with their results because the cut is at a user message', () => {
  const call = {
    role: 'assistant',
    tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
  };
  const result = { role: 'tool', tool_call_id: 't1', content: '42' };
  const msgs = [sys, u(1), call, result, a(1), u(2), call, result, a(2), u(3)];
  const r = trimMessages(msgs, 2);
  assert.deepEqual(r.messages, [sys, u(2), call, result, a(2), u(3)]);
});

test('system and developer messages after the cut point are kept in order', () => {
  const dev = { role: 'developer', content: 'mid-chat note' };
  const msgs = [sys, u(1), dev, a(1), u(2)];
  assert.deepEqual(trimMessages(msgs, 1).messages, [sys, dev, u(2)]);
});
