import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from '../core/index.js';
import { Redactor } from './_redact.js';
import { upstreamErrorBody } from './_forward.js';
import type { RouteTarget } from './_context.js';

const r = new Redactor(['aoai-upstream-secret-canary', 'adm1n-token-xyz', 'short']);
const target: RouteTarget = {
  upstream: 'aoai-east',
  kind: 'azure-openai',
  deployment: 'gpt-4o',
  model: 'gpt-4o',
  deploymentType: 'global-standard',
  region: null,
};

test('class 8: configured secrets and credential-shaped strings are redacted wherever they appear', () => {
  assert.equal(r.text('key aoai-upstream-secret-canary!'), 'key [redacted]!');
  assert.equal(r.text('Authorization: Bearer eyJhbGciOi.abc.def'), 'Authorization: [redacted]');
  assert.equal(
    r.text('used sk-proj-abcdefgh12345 and tally-sk-ABCDEFGH123'),
    'used [redacted] and [redacted]',
  );
  assert.equal(r.text('a short word and a task-list'), 'a short word and a task-list');
  const e = r.error(new TallyError('upstream_error', 'upstream said adm1n-token-xyz', { upstream: 'x' }));
  assert.equal(e.message, 'upstream said [redacted]');
  assert.equal(e.code, 'upstream_error');
});

test('class 8: an upstream error is relayed in OpenAI shape with its status class, code and param only', () => {
  const body = upstreamErrorBody(
    {
      error: {
        message: 'bad key aoai-upstream-secret-canary',
        type: 'invalid_request_error',
        code: 'unsupported_parameter',
        param: 'temperature',
        internal_trace: 'aoai-upstream-secret-canary',
      },
    },
    400,
    target,
    (t) => r.text(t),
  );
  assert.deepEqual(body, {
    error: {
      message: 'bad key [redacted]',
      type: 'invalid_request_error',
      code: 'unsupported_parameter',
      param: 'temperature',
    },
  });
  // Free text where an identifier belongs, an unknown type, or no error object at all: nothing raw passes.
  assert.deepEqual(
    upstreamErrorBody({ error: { code: 'has spaces: x', type: 'weird' } }, 503, target, (t) => t),
    {
      error: { message: 'upstream aoai-east answered HTTP 503', type: 'api_error', code: null, param: null },
    },
  );
  assert.equal(upstreamErrorBody({ detail: 'x' }, 429, target, (t) => t).error.type, 'rate_limit_error');
});
