import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canReadMetrics, isLoopback } from './_metrics-access.js';

const access = { public: false, tokens: [Buffer.from('scrape-secret'), Buffer.from('admin-secret')] };

test('loopback callers read metrics without a token, in every address form', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
    assert.ok(canReadMetrics(access, a, undefined), a);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', 'fd00::2', '128.0.0.1', undefined])
    assert.equal(isLoopback(a), false, String(a));
});

test('other callers need the metrics or admin token as a bearer token', () => {
  assert.equal(canReadMetrics(access, '10.0.0.7', undefined), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', 'Bearer wrong'), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', 'Bearer scrape-secre'), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', 'scrape-secret'), false);
  assert.ok(canReadMetrics(access, '10.0.0.7', 'Bearer scrape-secret'));
  assert.ok(canReadMetrics(access, '10.0.0.7', 'bearer admin-secret'));
});

test('public metrics are open to anyone', () => {
  assert.ok(canReadMetrics({ public: true, tokens: [] }, '203.0.113.9', undefined));
});
