import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sitePath } from './site-path.js';

test('a redirect target that a browser would resolve to another site falls back to the given path', () => {
  // Browsers drop tabs and line breaks inside URLs and read a backslash as a slash, so each of these is
  // "//evil.example" to them: a redirect to it leaves the site.
  for (const next of [
    '//evil.example/',
    '/\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    ' //evil.example',
    '/\u0000/evil.example',
    // Dot segments that the URL parser collapses into a leading "//": the normalised path would leave the site.
    '/.//evil.example',
    '/..//evil.example',
    '/a/..//evil.example',
    '/%2e//evil.example',
    '/./%2e%2e//evil.example/x',
  ])
    assert.equal(sitePath(next, '/home'), '/home', JSON.stringify(next));
});

test('a path on this site is kept with its query and fragment', () => {
  assert.equal(sitePath('/anomalies?state=open', '/'), '/anomalies?state=open');
  assert.equal(sitePath('/teams/search#budget', '/'), '/teams/search#budget');
  assert.equal(sitePath(undefined, '/x'), '/x');
  assert.equal(sitePath(42, '/x'), '/x');
});
