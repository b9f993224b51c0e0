import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monthsTouched } from './_memo-writes.js';

test('reports and writes of no cost or usage row keep the months, an ingest stamps them, anything else forgets them', () => {
  for (const argv of [
    ['chargeback', '--period', '2026-11', '--json'],
    ['budgets', 'set', '--json', '--scope=team', '--value=search', '--amount=100'],
    ['anomalies', '--from', '2026-11-01', '--to', '2026-11-20'],
    ['keys', 'create', '--team', 'search'],
    ['prices', '--model', 'gpt-4o'],
  ])
    assert.equal(monthsTouched(argv), 'none', argv.join(' '));
  assert.equal(monthsTouched(['ingest', '/tmp/x.csv', '--json']), 'cost-rows');
  for (const argv of [['demo', '--days', '30'], ['prices', 'import', 'f.json'], ['store', 'copy'], []])
    assert.equal(monthsTouched(argv), 'any', argv.join(' ') || '(nothing)');
});
