import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTopLevelUsage } from './_usage-scan.js';

const scan = (v: string): unknown => scanTopLevelUsage(Buffer.from(v));
const usage = { prompt_tokens: 20, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 5 } };

test('the top-level usage of a chat completion is found without parsing the answer, compact or pretty', () => {
  const doc = {
    id: 'x',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'He said "usage": {"prompt_tokens": 999}' } },
    ],
    usage,
    system_fingerprint: 'fp',
  };
  assert.deepEqual(scan(JSON.stringify(doc)), usage);
  assert.deepEqual(scan(`\n ${JSON.stringify(doc, null, 2)}\n`), usage);
  assert.equal(scan(JSON.stringify({ id: 'x', usage: null })), null);
});

test('a usage that is nested, only inside strings, or absent is left to a full parse', () => {
  assert.equal(scan(JSON.stringify({ data: { usage } })), undefined);
  assert.equal(scan(JSON.stringify({ usage, extra: { usage: { prompt_tokens: 1 } } })), undefined);
  assert.equal(scan(JSON.stringify({ text: 'the "usage": {"prompt_tokens": 3} key' })), undefined);
  assert.equal(scan(JSON.stringify({ kind: 'usage' })), undefined);
  assert.equal(scan(JSON.stringify({ id: 'x' })), undefined);
  assert.equal(scan('<html>usage</html>'), undefined);
  assert.equal(scan('{"usage": {"prompt_tokens": 1'), undefined);
  assert.equal(scan('{"usage": {"prompt_tokens": 1}}}'), undefined);
  assert.equal(scan('{"usage": {"prompt_tokens": 1}, "tail": "}"'), undefined);
});

test('a usage object containing strings and nesting parses whole', () => {
  const u = { input_tokens: 5, output_tokens_details: { reasoning_tokens: 1 }, note: 'a } ] " \\ b' };
  assert.deepEqual(scan(JSON.stringify({ output: [{ t: 'x' }], usage: u, user: null })), u);
});
