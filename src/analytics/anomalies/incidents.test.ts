import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpendCell } from '../_series/index.js';
import { detectAnomalies } from './_detect.js';
import { findIdleCapacity } from './_idle.js';
import { groupIncidents } from './_incidents.js';
import { scanSpendAnomalies } from './_scan.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5); // a Monday
let seed = 7;
const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;

/** Hourly usage of two teams (two apps each) for `days`; `extra` adds cost to one app in some hours. */
function usage(days: number, extra: (app: string, h: number) => number): SpendCell[] {
  const out: SpendCell[] = [];
  const apps = [
    { team: 'search', app: 'rag', deployment: 'rag-4o', model: 'gpt-4o-2024-08-06' },
    { team: 'search', app: 'crawl', deployment: 'crawl-mini', model: 'gpt-4o-mini-2024-07-18' },
    { team: 'support', app: 'bot', deployment: 'bot-mini', model: 'gpt-4o-mini-2024-07-18' },
    { team: 'support', app: 'triage', deployment: 'triage-41', model: 'gpt-4.1-2025-04-14' },
  ];
  for (let h = 0; h < days * 24; h++) {
    const dow = Math.floor(h / 24) % 7;
    const daily = 0.4 + 0.6 * Math.max(0, Math.sin((((h % 24) - 6) / 24) * 2 * Math.PI));
    for (const a of apps) {
      const usd = 2 * daily * (dow >= 5 ? 0.5 : 1) * (1 + 0.05 * noise()) + extra(a.app, h);
      out.push({
        source: 'usage',
        bucket: T0 + h * HOUR,
        dims: { ...a, deploymentType: 'global-standard' },
        costNanos: BigInt(Math.round(usd * 1e9)),
        tokens: Math.round(usd * 100_000),
      });
    }
  }
  return out;
}

test('one event seen at several scopes and both grains is one incident, with the most specific scope as root cause', () => {
  // Day 38 (a Wednesday), 09:00-15:00: app rag spends $20 more an hour.
  const spikeDay = 38;
  const cells = usage(45, (app, h) =>
    app === 'rag' && h >= spikeDay * 24 + 9 && h < spikeDay * 24 + 15 ? 20 : 0,
  );
  const from = T0 + 30 * DAY;
  const to = T0 + 45 * DAY;
  const episodes = [
    ...scanSpendAnomalies(cells, { from, to, grain: 'hour' }),
    ...scanSpendAnomalies(cells, { from, to, grain: 'day' }),
  ];
  assert.ok(episodes.length >= 4, `the event shows at ${episodes.length} scopes`);
  const incidents = groupIncidents(episodes, []);
  assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => [i.start, i.rootCause])));
  const i = incidents[0]!;
  assert.equal(i.rootCause, 'team=search, app=rag, deployment=rag-4o, model=gpt-4o-2024-08-06');
  assert.ok(i.scopes.includes('app=rag') && i.scopes.includes('team=search'));
  // The largest single view of the change, not the sum of its views: 6 hours x $20.
  assert.ok(Math.abs(i.impactUsd - 120) < 15, String(i.impactUsd));
  assert.equal(i.kind, 'spike');
  // The id names no scope (ADR 0059): a team-lead may be shown it whatever other teams the incident touches.
  assert.match(i.id, /^inc_[0-9a-f]{24}$/);
  // The same event found again gives the same id.
  assert.equal(groupIncidents(episodes, [])[0]!.id, i.id);
});

test('two simultaneous events in different teams stay two incidents', () => {
  const d = 38 * 24;
  const cells = usage(45, (app, h) =>
    (app === 'rag' || app === 'triage') && h >= d + 9 && h < d + 15 ? 20 : 0,
  );
  const from = T0 + 30 * DAY;
  const to = T0 + 45 * DAY;
  const incidents = groupIncidents(scanSpendAnomalies(cells, { from, to, grain: 'hour' }), []);
  const causes = incidents.map((i) => i.rootCause).sort();
  assert.ok(
    causes.some((c) => c.includes('app=rag')) && causes.some((c) => c.includes('app=triage')),
    causes.join(' | '),
  );
});

test('a weekly batch that starts one week is flagged once, then accepted as part of the season', () => {
  const y: number[] = [];
  for (let t = 0; t < 24 * 7 * 8; t++) {
    const batch = t >= 24 * 7 * 4 && t % 168 >= 57 && t % 168 < 60 ? 5 : 1;
    y.push(100 * batch * (1 + 0.03 * noise()));
  }
  const flagged = detectAnomalies(y, { season: 168 })
    .filter((p) => p.anomaly)
    .map((p) => Math.floor(p.index / 168));
  assert.ok(flagged.length > 0);
  assert.deepEqual([...new Set(flagged)], [4], 'only the first week of the batch');
});

test('seasons are anchored to the calendar: the same data starting on another day scores the same', () => {
  const y = Array.from({ length: 140 }, (_, t) => 100 * (t % 7 >= 5 ? 0.5 : 1) * (1 + 0.03 * noise()));
  y[100] = 260;
  const a = detectAnomalies(y, { season: 7, phase0: 0 })
    .filter((p) => p.anomaly)
    .map((p) => p.index);
  // Starting 3 days later, told where in the week it starts: the same day is flagged.
  const b = detectAnomalies(y.slice(3), { season: 7, phase0: 3 })
    .filter((p) => p.anomaly)
    .map((p) => p.index + 3);
  assert.deepEqual(a, [100]);
  assert.deepEqual(b, a);
});

test('fine-tuned hosting billed with no traffic is ongoing waste per day with its running total', () => {
  const costs: SpendCell[] = [];
  const usageCells: SpendCell[] = [];
  for (let d = 0; d < 30; d++) {
    costs.push({
      source: 'costs',
      bucket: T0 + d * DAY,
      dims: {
        deployment: 'aoai-claims',
        deploymentType: 'fine-tune-hosting',
        model: 'gpt-4.1-mini',
        team: 'claims',
      },
      costNanos: 35_904_000_000n,
      tokens: 0,
    });
    if (d < 20)
      usageCells.push({
        source: 'usage',
        bucket: T0 + d * DAY,
        dims: {
          deployment: 'extract-ft',
          deploymentType: 'fine-tuned',
          model: 'gpt-4.1-mini-2025-04-14',
          app: 'extract',
        },
        costNanos: 100_000_000n,
        tokens: 50_000,
      });
  }
  const [idle, ...rest] = findIdleCapacity(costs, usageCells, { from: T0 + 25 * DAY, to: T0 + 31 * DAY });
  assert.deepEqual(rest, []);
  assert.ok(idle);
  assert.equal(idle.start, new Date(T0 + 20 * DAY).toISOString());
  assert.equal(idle.ongoing, true);
  assert.equal(idle.days, 10);
  assert.equal(idle.wastePerDayUsd, 35.904);
  assert.equal(idle.totalUsd, 359.04);
  assert.deepEqual(idle.deployments, ['extract-ft']);
  const [inc] = groupIncidents([], [idle]);
  assert.equal(inc?.kind, 'idle');
  assert.equal(inc?.rootCause, 'team=claims, app=extract, deployment=extract-ft, model=gpt-4.1-mini');
  // Traffic that returns ends the run: it is no longer ongoing.
  usageCells.push({ ...usageCells[0]!, bucket: T0 + 29 * DAY });
  const [ended] = findIdleCapacity(costs, usageCells, { from: T0 + 25 * DAY, to: T0 + 31 * DAY });
  assert.equal(ended?.ongoing, false);
  assert.equal(ended?.days, 9);
});

test('capacity bought before any traffic is not idle waste', () => {
  const costs: SpendCell[] = [0, 1, 2].map((d) => ({
    source: 'costs',
    bucket: T0 + d * DAY,
    dims: { deployment: 'aoai-x', deploymentType: 'provisioned', model: null },
    costNanos: 500_000_000_000n,
    tokens: 0,
  }));
  assert.deepEqual(findIdleCapacity(costs, [], { from: T0, to: T0 + 3 * DAY }), []);
});

test('a sustained rise and the return to the old level are one incident that ends at the return', () => {
  // App bot spends 3x its level for ten days (days 50-59), then is back where it was.
  const up = (app: string, h: number) => (app === 'bot' && h >= 50 * 24 && h < 60 * 24 ? 4 * 0.7 : 0);
  const cells = usage(80, up);
  const window = { from: T0 + 40 * DAY, to: T0 + 80 * DAY };
  const episodes = scanSpendAnomalies(cells, { ...window, grain: 'day' });
  // Without folding, the adapted baseline makes the return look like a drop at the same scope.
  assert.ok(
    episodes.some((e) => e.kind === 'drop' && e.scope === 'app=bot'),
    'the return is flagged as a drop',
  );
  const incidents = groupIncidents(episodes, []);
  const bot = incidents.filter((i) => i.rootCause.includes('app=bot'));
  assert.equal(bot.length, 1, JSON.stringify(bot.map((i) => [i.kind, i.start, i.end])));
  assert.equal(bot[0]!.kind, 'spike');
  assert.ok(bot[0]!.impactUsd > 0);
  const end = Date.parse(bot[0]!.end);
  assert.ok(end >= T0 + 59 * DAY && end <= T0 + 62 * DAY, bot[0]!.end);
});

test('a fall below the old level after a rise is its own incident', () => {
  // The same rise, then an outage: bot at 10% of its old level for a week.
  const upThenDown = (app: string, h: number) =>
    app !== 'bot' ? 0 : h >= 50 * 24 && h < 60 * 24 ? 4 * 0.7 : h >= 60 * 24 && h < 67 * 24 ? -0.9 * 0.7 : 0;
  const cells = usage(80, upThenDown).map((c) => (c.costNanos < 0n ? { ...c, costNanos: 0n, tokens: 0 } : c));
  const episodes = scanSpendAnomalies(cells, { from: T0 + 40 * DAY, to: T0 + 80 * DAY, grain: 'day' });
  const bot = groupIncidents(episodes, []).filter((i) => i.rootCause.includes('app=bot'));
  const drop = bot.find((i) => i.kind === 'drop');
  assert.ok(drop, JSON.stringify(bot.map((i) => [i.kind, i.start, i.end])));
  assert.ok(Math.abs(Date.parse(drop.start) - (T0 + 60 * DAY)) <= DAY, drop.start);
  assert.ok(bot.some((i) => i.kind === 'spike' && Date.parse(i.start) < T0 + 52 * DAY));
});
