/**
 * Store migrations 36 (DuckDB) and 937 (PostgreSQL): incident ids stored in the old form `inc:team=…:<hash>`
 * become the opaque ids the detector now gives (ADR 0059), everywhere they are kept, once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, skipWithoutPostgres, type PgCluster } from '../../test/postgres-cluster.js';
import { opaqueIncidentId, type Incident } from '../analytics/index.js';
import { openStore, type CostStore, type SqlStore } from '../store/index.js';
import {
  dispatchAlerts,
  incidentAlert,
  storedIncidentTeams,
  withLifecycle,
  type IncidentView,
} from './index.js';

// A team name outside ASCII checks that both backends hash the UTF-8 bytes, as Node does.
const OLD = 'inc:team=claims,team=search,team=équipe:0123456789ab';
const NEW = opaqueIncidentId(OLD);

const incident = (id: string): Incident => ({
  id,
  kind: 'spike',
  start: '2026-11-02T00:00:00.000Z',
  end: '2026-11-03T00:00:00.000Z',
  ongoing: false,
  scopes: ['team=claims', 'team=search', 'team=équipe', 'deployment=shared-4o'],
  rootCause: 'team=claims, deployment=shared-4o',
  impactUsd: 42.5,
  severity: 'medium',
  wastePerDayUsd: null,
  totalWasteUsd: null,
  impactTokens: null,
  detectedAt: '2026-11-02T03:00:00.000Z',
  episodes: ['e1'],
});

const view = (id: string): IncidentView => ({
  ...incident(id),
  state: 'new',
  stateBy: null,
  stateAt: null,
  reopened: false,
});

/** What an older Tally left in a store: a state, the stored incident, its index, its alert and its audit entry. */
async function seedOldIds(s: CostStore): Promise<void> {
  const at = new Date('2026-11-02T09:00:00Z');
  await s.setIncidentState({
    id: OLD,
    state: 'acknowledged',
    changedBy: 'ada',
    changedAt: at,
    note: 'on it',
  });
  await s.setMeta('incidents', OLD, incident(OLD));
  await s.setMeta('incidents', '_index', {
    ids: [OLD, 'inc_000000000000000000000000'],
    coveredFrom: '2026-10-01T00:00:00.000Z',
    coveredTo: '2026-11-04T00:00:00.000Z',
  });
  const sent = incidentAlert(view(OLD));
  await s.setMeta('alerts', sent.key, { fingerprint: sent.fingerprint, sentAt: at.toISOString(), count: 1 });
  await s.appendAudit({
    at,
    actor: 'ada',
    action: 'anomaly acknowledged',
    target: OLD,
    details: { note: 'on it' },
  });
}

/** Every row the migration may touch, as text (to compare a store before and after another open). */
async function snapshot(s: CostStore): Promise<string> {
  const sql = s as unknown as SqlStore;
  const rows = [
    ...(await sql.query('SELECT * FROM incident_states ORDER BY id')),
    ...(await sql.query(
      'SELECT namespace, key, CAST(value AS VARCHAR) AS v, updated_at FROM kv ORDER BY namespace, key',
    )),
    ...(await sql.query(
      'SELECT occurred_at, actor, action, target, CAST(details AS VARCHAR) AS d FROM audit_log ORDER BY target',
    )),
  ];
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** Seeds old ids, un-applies the migration so the next open runs it, reopens twice and checks the result. */
async function migratesOnce(open: () => Promise<CostStore>, migrationId: number): Promise<void> {
  let s = await open();
  await seedOldIds(s);
  await (s as unknown as SqlStore).exec('DELETE FROM schema_migrations WHERE id = $1', [migrationId]);
  await s.close();
  s = await open();
  try {
    const states = await s.getIncidentStates([OLD, NEW]);
    assert.equal(states.get(OLD), undefined, 'no state is left under the old id');
    assert.deepEqual(
      [states.get(NEW)?.state, states.get(NEW)?.changedBy, states.get(NEW)?.note],
      ['acknowledged', 'ada', 'on it'],
    );
    // The detector finds the incident again under its new id: it is still acknowledged.
    const [found] = await withLifecycle(s, [{ ...incident(NEW) }], []);
    assert.equal(found?.state, 'acknowledged');
    assert.equal(await s.getMeta('incidents', OLD), null);
    assert.equal(((await s.getMeta('incidents', NEW)) as Incident).id, NEW);
    assert.deepEqual(((await s.getMeta('incidents', '_index')) as { ids: string[] }).ids, [
      NEW,
      'inc_000000000000000000000000',
    ]);
    assert.deepEqual(await storedIncidentTeams(s, NEW), ['claims', 'search', 'équipe']);
    // Its alert was sent before the migration: the same alert under the new id is a duplicate, not sent again.
    const [outcome] = await dispatchAlerts(
      s,
      [{ type: 'webhook', url: 'http://127.0.0.1:9/never' }],
      [incidentAlert(view(NEW))],
      { now: new Date('2026-11-02T10:00:00Z'), quietMinutes: 0 },
    );
    assert.equal(outcome?.outcome, 'duplicate');
    const [entry] = await s.listAudit({ limit: 10 });
    assert.equal(entry?.target, NEW);
    assert.deepEqual(entry?.details, { note: 'on it', formerId: OLD });
    const first = await snapshot(s);
    // Only the audit entry still names the old id, as the id it had (formerId).
    assert.equal(first.split('inc:').length, 2, first);
    await s.close();
    s = await open();
    assert.equal(await snapshot(s), first, 'a second open changes nothing');
    // The second open skipped the migration (it is recorded); un-record it so a third open runs it again.
    await (s as unknown as SqlStore).exec('DELETE FROM schema_migrations WHERE id = $1', [migrationId]);
    await s.close();
    s = await open();
    const ran = await (s as unknown as SqlStore).query('SELECT id FROM schema_migrations WHERE id = $1', [
      migrationId,
    ]);
    assert.equal(ran.length, 1, 'the third open ran the migration again');
    assert.equal(await snapshot(s), first, 'running the migration again changes none of the rows it touches');
  } finally {
    await s.close();
  }
}

test('an incident state, stored incident, alert and audit entry under an old DuckDB id move to the opaque id once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-inc-ids-'));
  try {
    await migratesOnce(() => openStore({ path: join(dir, 'db.duckdb') }), 36);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('postgres', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  test('an incident state, stored incident, alert and audit entry under an old PostgreSQL id move to the same opaque id once', async () => {
    const url = await cluster.database();
    await migratesOnce(() => openStore({ path: url }), 937);
  });
});
