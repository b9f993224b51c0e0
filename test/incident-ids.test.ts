/**
 * Opaque incident ids (ADR 0059) through the API with the real `tally anomalies` behind it: a team-lead reads an
 * incident its team shares with another team without that team's name anywhere, ids included, and acts on it by
 * its id; a lead of a team the incident does not touch cannot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../src/store/index.js';
import { opaqueIncidentId } from '../src/analytics/index.js';
import { createUser } from '../src/api/index.js';
import { apiOverStore } from './_api-over-store.js';
import { storeIncident } from './_incident-fixture.js';

test("a team-lead's API answer for a shared incident names no other team anywhere, and only touched teams may acknowledge it", async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const now = new Date();
    // Rooted in team claims and seen in team search through a shared deployment. The id is what the detector
    // gives this incident; its text of before ADR 0059 was `inc:team=claims,team=search:<hash>`.
    const legacy = 'inc:team=claims,team=search:0123456789ab';
    const incident = await storeIncident(store, now, {
      id: opaqueIncidentId(legacy),
      scopes: ['team=claims', 'team=search', 'app=claims-extractor', 'deployment=shared-4o'],
      rootCause: 'team=claims, app=claims-extractor, deployment=shared-4o',
      episodes: ['e1', 'e2'],
    });
    const { app } = apiOverStore(store);
    const search = await createUser(store, { name: 'sam', role: 'team-lead', teams: ['search'] });
    const marketing = await createUser(store, { name: 'mo', role: 'team-lead', teams: ['marketing'] });
    const from = incident.start.slice(0, 10);
    const to = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
    const list = await app.request(`/api/v1/anomalies?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${search.token}` },
    });
    assert.equal(list.status, 200);
    const text = await list.text();
    const doc = JSON.parse(text) as { incidents: { id: string; scopes: string[]; rootCause: string }[] };
    assert.deepEqual(
      doc.incidents.map((i) => i.id),
      [incident.id],
    );
    assert.match(doc.incidents[0]!.id, /^inc_[0-9a-f]{24}$/);
    // Before: the id read `inc:team=claims,team=search:…`, naming the other team to the search lead.
    assert.doesNotMatch(text, /claims/);
    assert.ok(doc.incidents[0]!.scopes.includes('team=search'));

    const ack = (token: string, id: string) =>
      app.request(`/api/v1/anomalies/${encodeURIComponent(id)}/state`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'acknowledged' }),
      });
    // Not its team's: answered like an unknown id, so the id confirms nothing to a lead who guessed it.
    const other = await ack(marketing.token, incident.id);
    assert.equal(other.status, 404);
    const unknown = await ack(marketing.token, opaqueIncidentId('inc:team=marketing:guess'));
    const shape = async (r: Response) => {
      const p = (await r.json()) as { code: string; detail: string };
      return [r.status, p.code, p.detail];
    };
    assert.deepEqual(await shape(other), await shape(unknown));
    assert.equal((await ack(search.token, opaqueIncidentId('inc:team=search:0123456789ab'))).status, 404);
    // The old id text is no id any more.
    assert.equal((await ack(search.token, legacy)).status, 404);
    assert.equal((await ack(search.token, incident.id)).status, 200);
    assert.equal((await store.getIncidentStates([incident.id])).get(incident.id)?.state, 'acknowledged');
    const again = await app.request(`/api/v1/anomalies?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${search.token}` },
    });
    const after = (await again.json()) as { incidents: { state: string; stateBy: string }[] };
    assert.equal(after.incidents[0]?.state, 'acknowledged');
  } finally {
    await store.close();
  }
});
