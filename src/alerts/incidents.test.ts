import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '../analytics/index.js';
import { openStore, type CostStore } from '../store/index.js';
import {
  budgetAlerts,
  covers,
  incidentAlert,
  routeAlert,
  withLifecycle,
  type IncidentView,
} from './index.js';

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc:team=support:aaa',
  kind: 'spike',
  start: '2026-11-02T00:00:00.000Z',
  end: '2026-11-03T00:00:00.000Z',
  ongoing: false,
  scopes: ['team=support', 'app=bot', 'all'],
  rootCause: 'team=support, app=bot',
  impactUsd: 42.5,
  severity: 'medium',
  wastePerDayUsd: null,
  totalWasteUsd: null,
  impactTokens: null,
  detectedAt: '2026-11-02T03:00:00.000Z',
  episodes: ['e1'],
  ...over,
});

async function withStore(run: (s: CostStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-incidents-'));
  const store = await openStore({ path: join(dir, 'db.duckdb') });
  try {
    await run(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const resolve = (s: CostStore, id: string, at: string) =>
  s.setIncidentState({ id, state: 'resolved', changedBy: 'ada', changedAt: new Date(at), note: null });

test('a resolved incident whose spend moves again after the resolution reopens as new, said to be by tally', () =>
  withStore(async (s) => {
    const first = incident();
    await resolve(s, first.id, '2026-11-03T06:00:00Z');
    const [still] = await withLifecycle(s, [first], [first]);
    assert.deepEqual([still!.state, still!.stateBy, still!.reopened], ['resolved', 'ada', false]);
    const [again] = await withLifecycle(s, [{ ...first, end: '2026-11-04T00:00:00.000Z' }], [first]);
    assert.deepEqual(
      [again!.id, again!.state, again!.stateBy, again!.reopened],
      [first.id, 'new', 'tally', true],
    );
  }));

test('the same root cause recurring within two weeks of a resolved incident keeps its id and reopens; later it is a new incident', () =>
  withStore(async (s) => {
    const first = incident();
    await resolve(s, first.id, '2026-11-03T06:00:00Z');
    const soon = incident({
      id: 'inc:team=support:bbb',
      start: '2026-11-10T00:00:00.000Z',
      end: '2026-11-11T00:00:00.000Z',
    });
    const [reopened] = await withLifecycle(s, [soon], [first]);
    assert.deepEqual([reopened!.id, reopened!.state, reopened!.reopened], [first.id, 'new', true]);
    const late = incident({
      id: 'inc:team=support:ccc',
      start: '2026-11-20T00:00:00.000Z',
      end: '2026-11-21T00:00:00.000Z',
    });
    const [fresh] = await withLifecycle(s, [late], [first]);
    assert.deepEqual([fresh!.id, fresh!.state, fresh!.reopened], [late.id, 'new', false]);
    const other = incident({ id: 'inc:team=support:ddd', kind: 'drop', start: '2026-11-10T00:00:00.000Z' });
    assert.equal(
      (await withLifecycle(s, [other], [first]))[0]!.id,
      other.id,
      'another kind is another incident',
    );
  }));

test("an incident's alert has one key per incident and goes to the owning team's sink, else to the sinks of no team", () => {
  const view: IncidentView = { ...incident(), state: 'new', stateBy: null, stateAt: null, reopened: false };
  const a = incidentAlert(view);
  assert.equal(a.key, `incident:${view.id}`);
  assert.deepEqual(a.teams, ['support']);
  const sinks = [
    { type: 'webhook' as const, url: 'http://x/all' },
    { type: 'webhook' as const, url: 'http://x/support', teams: ['support'] },
    { type: 'webhook' as const, url: 'http://x/search', teams: ['search'] },
  ];
  assert.deepEqual(
    routeAlert(sinks, a).map((x) => x.url),
    ['http://x/support'],
  );
  assert.deepEqual(
    routeAlert(sinks, { teams: ['claims'] }).map((x) => x.url),
    ['http://x/all'],
  );
  // A reopening changes the fingerprint, so it is sent again (once per quiet period, as dispatch enforces).
  assert.notEqual(incidentAlert({ ...view, reopened: true }).fingerprint, a.fingerprint);
});

test('alerts print amounts in the reporting currency, never a dollar sign for EUR', () => {
  const view: IncidentView = { ...incident(), state: 'new', stateBy: null, stateAt: null, reopened: false };
  const a = incidentAlert(view, 'EUR');
  assert.match(a.text, /spike of 42\.50 EUR/);
  assert.deepEqual(
    a.facts.find(([k]) => k === 'Impact'),
    ['Impact', '42.50 EUR'],
  );
  assert.doesNotMatch(JSON.stringify([a.title, a.text, a.facts]), /\$/);
  assert.equal((a.data as { currency: string }).currency, 'EUR');
  assert.match(incidentAlert(view).text, /spike of \$42\.50/);
  const [b] = budgetAlerts({
    id: 'b1',
    scope: 'team=support',
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-12-01T00:00:00.000Z',
    amountUsd: 100,
    spentUsd: 120,
    forecastUsd: 150,
    forecastP10Usd: 140,
    forecastP90Usd: 160,
    crossed: [{ type: 'actual', percent: 100 }],
    currency: 'EUR',
  } as unknown as Parameters<typeof budgetAlerts>[0]);
  assert.match(b!.text, /spent 120\.00 EUR of 100\.00 EUR/);
  assert.doesNotMatch(b!.text, /\$/);
});

test('stored incidents answer a window to the present while the last pass is recent enough, and not after', () => {
  const T = Date.parse('2026-12-03T08:00:00Z');
  const min = 60_000;
  const index = {
    ids: [],
    coveredFrom: new Date(T - 35 * 86_400_000).toISOString(),
    coveredTo: new Date(T).toISOString(),
  };
  const from = new Date(T - 30 * 86_400_000);
  const tomorrow = new Date(T + 86_400_000);
  const at = (m: number) => new Date(T + m * min);
  assert.equal(covers(index, from, tomorrow, at(5)), false, 'exactly as of now: needs a scan');
  assert.equal(covers(index, from, tomorrow, at(5), 10 * min), true, 'a pass 5 minutes old is recent enough');
  assert.equal(covers(index, from, tomorrow, at(20), 10 * min), false, 'a pass 20 minutes old is not');
  assert.equal(
    covers(index, new Date(T - 40 * 86_400_000), tomorrow, at(5), 10 * min),
    false,
    'not scanned that far back',
  );
});

test('alert amounts round half away from zero on their decimal text, as the CLI prints them, not on the float', () => {
  const [b] = budgetAlerts({
    id: 'b2',
    scope: 'team=support',
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-12-01T00:00:00.000Z',
    amountUsd: 1.005,
    spentUsd: 2.675,
    forecastUsd: 1e21,
    forecastP10Usd: -0.005,
    forecastP90Usd: 8.345,
    crossed: [{ type: 'actual', percent: 100 }],
  } as unknown as Parameters<typeof budgetAlerts>[0]);
  // 2.675.toFixed(2) is "2.67" and 1.005.toFixed(2) "1.00": the float's binary value, not the amount.
  assert.match(b!.text, /spent \$2\.68 of \$1\.01; forecast at period end \$1000000000000000000000\.00/);
  assert.match(b!.text, /\(p10 -\$0\.01, p90 \$8\.35\)/);
});
