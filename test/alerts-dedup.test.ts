import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { dispatchAlerts, type AlertEvent } from '../src/alerts/index.js';
import { startReceiver } from './_receiver.js';
import { tempDir } from './_temp.js';

const alert = (fingerprint: string, impactUsd = 50): AlertEvent => ({
  key: 'anomaly:x',
  kind: 'anomaly',
  title: 't',
  text: 'x',
  facts: [],
  fingerprint,
  impactUsd,
  data: null,
});

test('a changed alert waits out the quiet period, then goes out once as an update', async () => {
  const rx = await startReceiver();
  const store = await openStore({ path: join(tempDir('tally-al-'), 'db.duckdb') });
  try {
    const sinks = [{ type: 'webhook' as const, url: `${rx.url}/h` }];
    const t0 = new Date('2026-03-01T10:00:00Z');
    const at = (min: number) => ({ now: new Date(t0.getTime() + min * 60_000), quietMinutes: 60 });
    assert.equal((await dispatchAlerts(store, sinks, [alert('a')], at(0)))[0]!.outcome, 'sent');
    assert.equal((await dispatchAlerts(store, sinks, [alert('a')], at(5)))[0]!.outcome, 'duplicate');
    assert.equal((await dispatchAlerts(store, sinks, [alert('b')], at(30)))[0]!.outcome, 'quiet');
    assert.equal((await dispatchAlerts(store, sinks, [alert('b')], at(61)))[0]!.outcome, 'updated');
    assert.equal((await dispatchAlerts(store, sinks, [alert('b')], at(200)))[0]!.outcome, 'duplicate');
    assert.deepEqual(
      rx.received.map((r) => r.body['update']),
      [false, true],
    );
  } finally {
    await store.close();
    await rx.close();
  }
});

test('a sink threshold keeps small anomalies away from that sink', async () => {
  const rx = await startReceiver();
  const store = await openStore({ path: join(tempDir('tally-al-'), 'db.duckdb') });
  try {
    const sinks = [{ type: 'slack' as const, url: `${rx.url}/s`, minImpactUsd: 100 }];
    const r = await dispatchAlerts(store, sinks, [alert('a', 20)], { now: new Date(), quietMinutes: 0 });
    assert.equal(r[0]!.outcome, 'no-sink');
    assert.equal(rx.received.length, 0);
  } finally {
    await store.close();
    await rx.close();
  }
});
