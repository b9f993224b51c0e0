import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from '../core/index.js';
import { checkContentType, dropHostFields, parseJsonBody } from './_body.js';

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof TallyError ? e.code : 'other';
  }
};

test('JSON content types are accepted and others refused with 415', () => {
  assert.equal(
    code(() => checkContentType('application/json; charset=utf-8')),
    null,
  );
  assert.equal(
    code(() => checkContentType('text/plain')),
    'unsupported_media_type',
  );
  assert.equal(
    code(() => checkContentType(undefined)),
    'unsupported_media_type',
  );
  assert.equal(
    code(() => checkContentType('application/json; charset=latin1')),
    'unsupported_media_type',
  );
});

test('prototype keys are refused, literal or unicode-escaped, at any depth', () => {
  assert.equal(
    code(() => parseJsonBody(Buffer.from('{"a":{"__proto__":{"x":1}}}'))),
    'invalid_input',
  );
  assert.equal(
    code(() => parseJsonBody(Buffer.from('{"a":[{"\\u005f_proto__":1}]}'))),
    'invalid_input',
  );
  assert.equal(
    code(() => parseJsonBody(Buffer.from('{"constructor":{"prototype":{}}}'))),
    'invalid_input',
  );
  assert.deepEqual(parseJsonBody(Buffer.from('{"text":"about __proto__ in prose"}')), {
    text: 'about __proto__ in prose',
  });
});

test('invalid UTF-8, malformed JSON and non-objects are invalid input', () => {
  assert.equal(
    code(() => parseJsonBody(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))),
    'invalid_input',
  );
  assert.equal(
    code(() => parseJsonBody(Buffer.from('{"a":'))),
    'invalid_input',
  );
  assert.equal(
    code(() => parseJsonBody(Buffer.from('"str"'))),
    'invalid_input',
  );
  assert.equal(
    code(() => parseJsonBody(Buffer.from('[]'))),
    'invalid_input',
  );
});

test('host-like top-level fields are dropped and the rest kept', () => {
  const b: Record<string, unknown> = { model: 'm', api_base: 'http://x', BASE_URL: 'y', messages: [] };
  dropHostFields(b);
  assert.deepEqual(b, { model: 'm', messages: [] });
});

test('deeply nested JSON is refused as invalid input, however deep, and ordinary nesting passes', () => {
  for (const depth of [65, 5_000, 1_000_000]) {
    const body = Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    assert.throws(
      () => parseJsonBody(body),
      (e: unknown) => e instanceof TallyError && e.code === 'invalid_input' && /nests deeper/.test(e.message),
    );
  }
  const ok = Buffer.from(`{"a":${'['.repeat(60)}${']'.repeat(60)}}`);
  assert.ok(parseJsonBody(ok));
});
