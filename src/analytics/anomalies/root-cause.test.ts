import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeChange, type ElementChange } from './_root-cause.js';

test('the root cause does not depend on the order the rows arrive in (an app and its only team tie)', () => {
  // content-writer is marketing's only app: the two dimensions explain the spike equally.
  const rows: ElementChange[] = [
    { dimension: 'team', value: 'marketing', actual: 90.1, expected: 10.3 },
    { dimension: 'team', value: 'search', actual: 20.7, expected: 19.9 },
    { dimension: 'app', value: 'content-writer', actual: 90.1, expected: 10.3 },
    { dimension: 'app', value: 'search-bot', actual: 20.7, expected: 19.9 },
    { dimension: 'key', value: 'vk-1', actual: 100.2, expected: 12.1 },
    { dimension: 'key', value: 'vk-2', actual: 10.6, expected: 18.1 },
  ];
  const names = (els: ElementChange[]) => attributeChange(els, 2).map((c) => `${c.dimension}=${c.value}`);
  const forward = names(rows);
  assert.equal(forward.length, 2, JSON.stringify(forward));
  assert.deepEqual(names([...rows].reverse()), forward);
  assert.deepEqual(names([rows[2]!, rows[0]!, rows[5]!, rows[1]!, rows[4]!, rows[3]!]), forward);
});
