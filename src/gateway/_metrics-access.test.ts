import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canReadMetrics, isLoopback } from './_metrics-access.js';

const access = { public: false, tokens: [Buffer.from('scrape-secret'), Buffer.from('admin-secret')] };

test('loopback callers read metrics without a token, in every address form', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
    assert.ok(canReadMetrics(access, a, {}), a);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', 'fd00::2', '128.0.0.1', undefined])
    assert.equal(isLoopback(a), false, String(a));
});

test('other callers need the metrics or admin token as a bearer token', () => {
  assert.equal(canReadMetrics(access, '10.0.0.7', {}), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', { authorization: 'Bearer wrong' }), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', { authorization: 'Bearer scrape-secre' }), false);
  assert.equal(canReadMetrics(access, '10.0.0.7', { authorization: 'scrape-secret' }), false);
  assert.ok(canReadMetrics(access, '10.0.0.7', { authorization: 'Bearer scrape-secret' }));
  assert.ok(canReadMetrics(access, '10.0.0.7', { authorization: 'bearer admin-secret' }));
});

test('public metrics are open to anyone', () => {
  assert.ok(canReadMetrics({ public: true, tokens: [] }, '203.0.113.9', {}));
});

test('class 10: a forwarded request from this host needs the token unless trustProxy names a local caller', () => {
  for (const h of [
    { 'x-forwarded-for': '203.0.113.7' },
    { forwarded: 'for=203.0.113.7;proto=https' },
    { 'x-real-ip': '203.0.113.7' },
    { 'x-forwarded-for': '127.0.0.1' },
  ]) {
    assert.equal(canReadMetrics(access, '127.0.0.1', h), false, JSON.stringify(h));
    assert.ok(canReadMetrics(access, '127.0.0.1', { ...h, authorization: 'Bearer scrape-secret' }));
  }
  const trusting = { ...access, trustProxy: true };
  assert.equal(canReadMetrics(trusting, '127.0.0.1', { 'x-forwarded-for': '10.1.1.1, 203.0.113.7' }), false);
  assert.ok(canReadMetrics(trusting, '127.0.0.1', { 'x-forwarded-for': '203.0.113.7, 127.0.0.1' }));
  assert.ok(canReadMetrics(trusting, '::1', { forwarded: 'for="[::1]"' }));
  // A forwarding header from another host is never believed, trustProxy or not.
  assert.equal(canReadMetrics(trusting, '10.0.0.9', { 'x-forwarded-for': '127.0.0.1' }), false);
});
