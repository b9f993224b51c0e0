import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { dispatchAlerts, incidentAlert, type AlertEvent, type IncidentView } from '../src/alerts/index.js';
import { startReceiver } from './_receiver.js';
import { tempDir } from './_temp.js';
import { createKey } from '../src/gateway/index.js';

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

test("a team's own sink reads a shared incident in its own labels only; the other team's sink reads it whole", async () => {
  const rx = await startReceiver();
  const store = await openStore({ path: join(tempDir('tally-al-'), 'db.duckdb') });
  try {
    // Rooted in claims (its app claims-extractor, through claims' virtual key), seen in search through a shared
    // deployment.
    await createKey(store, { team: 'claims', app: 'claims-extractor' });
    const view: IncidentView = {
      id: 'inc_0123456789abcdef01234567',
      kind: 'spike',
      start: '2026-11-02T00:00:00.000Z',
      end: '2026-11-03T00:00:00.000Z',
      ongoing: false,
      scopes: ['team=claims', 'team=search', 'app=claims-extractor', 'deployment=shared-4o'],
      rootCause: 'team=claims, app=claims-extractor, deployment=shared-4o',
      impactUsd: 120,
      severity: 'high',
      wastePerDayUsd: null,
      totalWasteUsd: null,
      impactTokens: null,
      detectedAt: '2026-11-02T03:00:00.000Z',
      episodes: ['e1'],
      state: 'new',
      stateBy: null,
      stateAt: null,
      reopened: false,
    };
    const sinks = [
      { type: 'webhook' as const, url: `${rx.url}/search`, teams: ['search'] },
      { type: 'slack' as const, url: `${rx.url}/claims`, teams: ['claims'] },
    ];
    const [r] = await dispatchAlerts(store, sinks, [incidentAlert(view)], {
      now: new Date('2026-11-03T04:00:00Z'),
      quietMinutes: 60,
    });
    assert.equal(r!.outcome, 'sent');
    const to = (path: string) => JSON.stringify(rx.received.find((x) => x.path === path)!.body);
    const search = to('/search');
    assert.doesNotMatch(search, /claims/);
    assert.match(search, /outside your teams, deployment=shared-4o/);
    assert.match(to('/claims'), /team=claims, app=claims-extractor, deployment=shared-4o/);
  } finally {
    await store.close();
    await rx.close();
  }
});
