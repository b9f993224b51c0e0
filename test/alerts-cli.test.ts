import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from './cli.js';
import { makeSpendStore } from './_spend-fixture.js';
import { startReceiver } from './_receiver.js';

test('alerts test posts a test message in webhook, Slack and Teams formats to a real HTTP receiver', async () => {
  const rx = await startReceiver();
  try {
    const db = await makeSpendStore({ days: 1, start: '2026-01-01' });
    const cfg = join(dirname(db), 'tally.yaml');
    writeFileSync(
      cfg,
      [
        'alerts:',
        '  sinks:',
        `    - { name: hook, type: webhook, url: "${rx.url}/hook" }`,
        `    - { name: chat, type: slack, url: "${rx.url}/slack" }`,
        `    - { name: ops, type: teams, url: "${rx.url}/teams" }`,
      ].join('\n'),
    );
    const r = await runCli(['alerts', 'test', '--config', cfg, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.json<{ results: { sink: string; ok: boolean }[] }>().results.map((x) => [x.sink, x.ok]),
      [
        ['hook', true],
        ['chat', true],
        ['ops', true],
      ],
    );
    const by = Object.fromEntries(rx.received.map((x) => [x.path, x.body]));
    assert.equal(by['/hook']?.['kind'], 'test');
    assert.equal(typeof by['/slack']?.['text'], 'string');
    assert.ok(Array.isArray(by['/slack']?.['blocks']));
    const att = (by['/teams']?.['attachments'] as { contentType: string }[])[0];
    assert.equal(att?.contentType, 'application/vnd.microsoft.card.adaptive');
  } finally {
    await rx.close();
  }
});

test('alerts run sends each incident and crossed budget threshold once, and retries after a failed send', async () => {
  const rx = await startReceiver();
  try {
    const db = await makeSpendStore({
      days: 40,
      start: '2026-01-01',
      planted: [
        { team: 'search', model: 'gpt-4o', fromHour: 38 * 24 + 9, toHour: 38 * 24 + 13, requests: 80 },
      ],
    });
    const cfg = join(dirname(db), 'tally.yaml');
    writeFileSync(
      cfg,
      [
        'alerts:',
        '  lookbackDays: 2',
        '  sinks:',
        `    - { type: webhook, url: "${rx.url}/hook" }`,
        'budgets:',
        '  - { scope: team, value: search, amountUsd: 150, actual: [50, 100], forecast: [100] }',
      ].join('\n'),
    );
    const at = '2026-02-09T00:00:00Z';
    rx.status = 500;
    const failed = await runCli(['alerts', 'run', '--db', db, '--config', cfg, '--at', at, '--json']);
    assert.equal(failed.code, 69, failed.stderr);
    const tries = rx.received.length;
    assert.ok(tries > 0);
    rx.status = 200;
    const first = await runCli(['alerts', 'run', '--db', db, '--config', cfg, '--at', at, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const sent = rx.received.slice(tries);
    // The failed pass recorded nothing, so the same alerts go out now.
    assert.equal(sent.length, tries);
    const keys = sent.map((x) => String(x.body['key']));
    // One alert for the incident (seen daily and hourly, in the team, the model and the total), not one per scope.
    const incidents = keys.filter((k) => k.startsWith('incident:'));
    assert.deepEqual(incidents.length, 1, keys.join('\n'));
    assert.match(incidents[0]!, /^incident:inc_[0-9a-f]{24}$/);
    assert.ok(keys.includes('budget:team:search:month:2026-02-01T00:00:00.000Z:actual:50'), keys.join('\n'));
    assert.ok(
      keys.includes('budget:team:search:month:2026-02-01T00:00:00.000Z:forecast:100'),
      keys.join('\n'),
    );
    const anomaly = sent.find((x) => String(x.body['key']).startsWith('incident:'))!;
    const data = anomaly.body['data'] as { rootCause: string; start: string };
    assert.match(data.rootCause, /team=search/);
    assert.equal(data.start.slice(0, 10), '2026-02-08');
    const again = await runCli(['alerts', 'run', '--db', db, '--config', cfg, '--at', at, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(rx.received.length, tries * 2, 'nothing is repeated');
    const outcomes = again.json<{ alerts: { outcome: string }[] }>().alerts.map((a) => a.outcome);
    assert.ok(
      outcomes.every((o) => o === 'duplicate'),
      outcomes.join(','),
    );
    const state = await runCli([
      'sql',
      '--db',
      db,
      '--json',
      "SELECT value FROM kv WHERE namespace = 'budgets' AND key = 'state'",
    ]);
    assert.match(state.stdout, /team=search/);
  } finally {
    await rx.close();
  }
});
