/**
 * Anomaly incidents on the 90-day demo (one build shared by the file): each injected incident is found as
 * exactly one incident, few others are reported, the idle fine-tuned deployment is ongoing waste priced as
 * billed, results do not depend on the scan's first day, and a quiet two-day window pages nobody.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { openStore, type CostStore } from '../src/store/index.js';
import { scanIncidents, type Incident } from '../src/analytics/index.js';
import {
  covers,
  evaluateAlerts,
  readIncidentIndex,
  readStoredIncidents,
  refreshIncidents,
} from '../src/alerts/index.js';
import { configSchema } from '../src/core/index.js';
import { demoAnomalies, type IncidentTruth } from '../src/demo/index.js';

interface Truth {
  id: string;
  kind: string;
  start: string;
  end: string;
  scope: { team: string; app?: string; deployment?: string };
}
interface CliIncident {
  id: string;
  kind: string;
  start: string;
  end: string;
  scopes: string[];
  rootCause: string;
  impactUsd: string;
  state: string;
  ongoing: boolean;
  wastePerDayUsd: string | null;
}

const END = '2026-12-02';
const START = '2026-09-03';
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'tally-incidents-'));
const db = join(dir, 'demo.duckdb');
let truths: Truth[] = [];
let incidents: CliIncident[] = [];
let store: CostStore | null = null;

before(async () => {
  const built = await runCli(
    ['demo', '--no-serve', '--json', '--skip-analyses', '--db', db, '--end', END, '--days', '90'],
    { timeoutMs: 1_800_000 },
  );
  assert.equal(built.code, 0, built.stderr);
  const r = await runCli(['anomalies', '--json', '--db', db, '--from', START, '--to', END], {
    timeoutMs: 1_800_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json<{ incidents: CliIncident[]; source: string; asOf: string }>();
  incidents = doc.incidents;
  // No scheduled pass has run on this store: the CLI scanned, as of now.
  assert.equal(doc.source, 'scan');
  assert.ok(Math.abs(Date.parse(doc.asOf) - Date.now()) < 30 * 60_000, doc.asOf);
  store = await openStore({ path: db });
  truths = (await store.getMeta('demo', 'incidents')) as Truth[];
});

after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const overlaps = (i: { start: string; end: string }, t: Truth) =>
  Date.parse(i.start) < Date.parse(t.end) && Date.parse(i.end) > Date.parse(t.start);
/** The incident names the injected one's app or deployment (as root cause or as a scope it was seen at). */
const names = (i: CliIncident, t: Truth) =>
  [t.scope.app, t.scope.deployment]
    .filter((n): n is string => !!n)
    .some((n) => i.rootCause.includes(`=${n}`) || i.scopes.some((s) => s.endsWith(`=${n}`)));
const matches = (i: CliIncident, t: Truth) =>
  overlaps(i, t) && names(i, t) && (t.kind === 'idle-fine-tuned-deployment') === (i.kind === 'idle');

test('every injected incident of the demo is found as exactly one incident', () => {
  assert.equal(truths.length, 4);
  for (const t of truths) {
    const found = incidents.filter((i) => matches(i, t));
    assert.equal(found.length, 1, `${t.id}: ${JSON.stringify(found.map((i) => [i.start, i.rootCause]))}`);
    // The root cause is specific: it names the injected app or deployment, not just the team.
    const rc = found[0]!.rootCause;
    assert.ok(
      [t.scope.app, t.scope.deployment].some((n) => n && rc.includes(`=${n}`)),
      `${t.id}: root cause ${rc}`,
    );
  }
});

test('at most 3 incidents in 90 days are outside the injected ones, and none shows $0 against $0', () => {
  const others = incidents.filter((i) => !truths.some((t) => matches(i, t)));
  assert.ok(others.length <= 3, JSON.stringify(others.map((i) => [i.start, i.rootCause, i.impactUsd])));
  assert.ok(incidents.every((i) => i.impactUsd !== '0.00' && i.impactUsd !== '-0.00'));
});

test('the idle fine-tuned deployment is ongoing waste within $1 a day of what the export bills for it', async () => {
  const t = truths.find((x) => x.kind === 'idle-fine-tuned-deployment')!;
  const idle = incidents.find((i) => matches(i, t))!;
  assert.equal(idle.ongoing, true);
  assert.equal(idle.start.slice(0, 10), t.start.slice(0, 10));
  // What the export bills for fine-tuned hosting on its newest day.
  const [row] = await store!.readOnlySql(
    `SELECT CAST(sum("EffectiveCost") AS DOUBLE) AS usd FROM cost_rows
      WHERE "x_AiDeploymentType" = 'fine-tune-hosting'
        AND "ChargePeriodStart" = (SELECT max("ChargePeriodStart") FROM cost_rows)`,
  );
  const billed = Number(row?.['usd']);
  assert.ok(billed > 1, String(billed));
  assert.ok(Math.abs(Number(idle.wastePerDayUsd) - billed) < 1, `${idle.wastePerDayUsd} vs ${billed}`);
  // The running total is every idle day's cost so far (about 36 days at that rate).
  const days = (Date.parse(END) - Date.parse(t.start)) / DAY;
  assert.ok(Math.abs(Number(idle.impactUsd) - billed * days) < days, `${idle.impactUsd} for ${days} days`);
});

test('a scan finds the same incidents whatever day it starts on', async () => {
  // Starts in different weeks, so the warm-ups differ too; compare what both windows cover.
  const key = (i: Incident) => `${i.id} ${i.kind} ${i.start.slice(0, 10)}`;
  const since = Date.parse('2026-10-22');
  const a = await scanIncidents(store!, new Date('2026-10-12'), new Date(END));
  const b = await scanIncidents(store!, new Date('2026-10-21'), new Date(END));
  const late = (xs: Incident[]) =>
    xs
      .filter((i) => Date.parse(i.start) >= since)
      .map(key)
      .sort();
  assert.ok(late(a).length >= 4);
  assert.deepEqual(late(a), late(b));
});

test('a quiet two-day window sends no alerts', async () => {
  const config = configSchema.parse({
    alerts: { lookbackDays: 2, sinks: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] },
  });
  // 13-15 October: between the demo's warm-up and its first injected incident (22 October).
  const summary = await evaluateAlerts(store!, config, new Date('2026-10-15T00:00:00Z'), { dryRun: true });
  const would = summary.alerts.filter((a) => a.outcome === 'sent' || a.outcome === 'updated');
  assert.deepEqual(would, []);
});

test('the scheduled pass stores the incidents it found, and covers the window the dashboard reads', async () => {
  const config = configSchema.parse({});
  const now = new Date(`${END}T00:00:00Z`);
  const { views } = await refreshIncidents(store!, config, now);
  const index = await readIncidentIndex(store!);
  const from = new Date(now.getTime() - 30 * DAY);
  assert.ok(covers(index, from, now, now));
  const stored = await readStoredIncidents(store!, from, now);
  assert.ok(stored.length >= 3);
  const overlapping = views.filter((v) => Date.parse(v.end) > from.getTime());
  assert.deepEqual(stored.map((i) => i.id).sort(), overlapping.map((v) => v.id).sort());
  // The idle deployment's incident is stored with its waste, so the dashboard shows it without a scan.
  assert.ok(stored.some((i) => i.kind === 'idle' && i.ongoing && (i.wastePerDayUsd ?? 0) > 30));
});

test('the demo’s own summary grades the same incidents: 4 of 4 found once each, at most 3 others', async () => {
  const a = await demoAnomalies(
    store!,
    Date.parse(START),
    Date.parse(END),
    truths as unknown as IncidentTruth[],
    undefined,
  );
  assert.equal(a.count, incidents.length);
  assert.equal(a.found, 4);
  assert.ok(a.incidents.every((g) => g.matches === 1 && g.detectionDelayHours !== null));
  assert.ok(a.unmatched <= 3, String(a.unmatched));
  assert.deepEqual(
    a.incidents.map((g) => g.match!.id).sort(),
    incidents
      .filter((i) => truths.some((t) => matches(i, t)))
      .map((i) => i.id)
      .sort(),
  );
});

test('after the first pass, a window older than the last 35 days is covered and its stored incidents are what a scan finds', async () => {
  const now = new Date(`${END}T00:00:00Z`);
  const index = await readIncidentIndex(store!);
  // The first pass covered the whole history (it starts on the demo's first day), not only the last 35 days.
  assert.ok(Date.parse(index.coveredFrom!) <= Date.parse(`${START}T00:00:00Z`), index.coveredFrom!);
  const from = new Date('2026-10-12T00:00:00Z');
  const to = new Date('2026-11-05T00:00:00Z');
  assert.ok(covers(index, from, to, now));
  // The pass's warm-up started earlier than this scan's: compare incidents starting after both warmed up.
  const since = Date.parse('2026-10-22T00:00:00Z');
  const key = (i: Incident) => `${i.id} ${i.kind} ${i.start.slice(0, 13)} ${i.rootCause}`;
  const starting = (xs: readonly Incident[]) =>
    xs
      .filter((i) => Date.parse(i.start) >= since && Date.parse(i.start) < to.getTime())
      .map(key)
      .sort();
  const stored = starting(await readStoredIncidents(store!, from, to));
  assert.ok(stored.length >= 2, stored.join('\n'));
  // A scan through the same end as the pass (an incident starting near `to` needs the days after it to show).
  assert.deepEqual(stored, starting(await scanIncidents(store!, from, now)));
});
