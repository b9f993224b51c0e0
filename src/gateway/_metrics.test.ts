import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUsageEvent } from '../ledger/index.js';
import { GatewayMetrics } from './_metrics.js';

test('class 7: label cardinality is capped, new label sets past the cap count in one "__other__" series', () => {
  const m = new GatewayMetrics(50);
  for (let i = 0; i < 500; i++)
    m.record(makeUsageEvent({ id: `e${i}`, startTime: 0, model: 'gpt-4o', team: `team-${i}`, app: 'a' }));
  const text = m.render();
  const series = new Set(
    text
      .split('\n')
      .filter((l) => l.startsWith('tally_requests_total{'))
      .map((l) => l.slice(0, l.lastIndexOf(' '))),
  );
  assert.equal(series.size, 51);
  assert.match(
    text,
    /tally_requests_total\{team="__other__",app="__other__",model="__other__",deployment_type="__other__"\} 450/,
  );
  // Label sets seen before the cap keep counting in their own series.
  m.record(makeUsageEvent({ id: 'again', startTime: 0, model: 'gpt-4o', team: 'team-0', app: 'a' }));
  assert.match(
    m.render(),
    /tally_requests_total\{team="team-0",app="a",model="gpt-4o",deployment_type="global-standard"\} 2/,
  );
});
