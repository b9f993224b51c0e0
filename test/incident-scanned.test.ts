/**
 * A team-lead acts on an incident an on-demand scan showed it (a window no scheduled pass has stored yet), through
 * the API with the real `tally anomalies` on a demo store; a lead of another team cannot, and cannot tell it exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/cli/index.js';
import { openStore } from '../src/store/index.js';
import { createUser } from '../src/api/index.js';
import { apiOverStore } from './_api-over-store.js';

type Listed = {
  source: string;
  incidents: { id: string; scopes: string[]; rootCause: string; state: string }[];
};

test('a team-lead acknowledges an incident it was shown by a scan, before any pass stored it', async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const { app, config } = apiOverStore(store);
    const quiet = { write: () => undefined };
    const demo = ['demo', '--days', '40', '--end', '2026-12-01', '--skip-analyses', '--json'];
    assert.equal(await main(demo, { store, config, stdout: quiet, stderr: quiet }), 0);
    const admin = await createUser(store, { name: 'ada', role: 'admin', teams: [] });
    const list = async (token: string) => {
      const res = await app.request('/api/v1/anomalies?from=2026-10-22&to=2026-12-01', {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Listed;
    };
    const all = await list(admin.token);
    assert.equal(all.source, 'scan', 'no pass has run: the list is a scan');
    const inc = all.incidents.find((i) => /team=/.test(`${i.rootCause}, ${i.scopes.join(', ')}`));
    assert.ok(inc, 'the demo has an incident of a team');
    const owner = /team=([^,]+)/.exec(`${inc.rootCause}, ${inc.scopes.join(', ')}`)![1]!;
    const lead = await createUser(store, { name: 'olle', role: 'team-lead', teams: [owner] });
    const stranger = await createUser(store, { name: 'sam', role: 'team-lead', teams: ['no-such-team'] });
    const ack = (token: string, id: string) =>
      app.request(`/api/v1/anomalies/${encodeURIComponent(id)}/state`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'acknowledged' }),
      });

    // Before: 404 "no such incident" until a scheduled pass stored it, although the lead had just been shown it.
    const seen = await list(lead.token);
    assert.ok(seen.incidents.some((i) => i.id === inc.id));
    assert.equal((await ack(lead.token, inc.id)).status, 200);
    assert.equal((await store.getIncidentStates([inc.id])).get(inc.id)?.state, 'acknowledged');
    assert.equal((await list(lead.token)).incidents.find((i) => i.id === inc.id)?.state, 'acknowledged');

    // Another team's lead gets exactly what an unknown id gets, and changes nothing.
    const shape = async (r: Response) => [r.status, ((await r.json()) as { detail: string }).detail];
    assert.deepEqual(
      await shape(await ack(stranger.token, inc.id)),
      await shape(await ack(stranger.token, 'inc_0')),
    );
    assert.deepEqual(await shape(await ack(stranger.token, inc.id)), [
      404,
      'no such incident among your teams',
    ]);
    assert.equal((await store.getIncidentStates([inc.id])).get(inc.id)?.state, 'acknowledged');
    // The scan did not pose as a scheduled pass: the stored list and its coverage are still empty.
    assert.equal((await list(admin.token)).source, 'scan');
  } finally {
    await store.close();
  }
});
