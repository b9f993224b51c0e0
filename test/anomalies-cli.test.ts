import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { makeSpendStore } from './_spend-fixture.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { tempDir } from './_temp.js';

interface Incident {
  id: string;
  start: string;
  scopes: string[];
  rootCause: string;
  impactUsd: string;
  state: string;
}

interface SeriesAnomaly {
  seriesId: string;
  timestamp: string;
  actual: number;
  expected: number;
  score: number;
}

function dailyCsv(header: string, days: number, spikeDay: number, id?: string): string {
  const rows = [header];
  for (let i = 0; i < days; i++) {
    const d = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
    let v = 100 + (i % 7 >= 5 ? -40 : 0) + 3 * Math.sin(i * 1.3);
    if (i === spikeDay) v *= 3;
    rows.push(id ? `${id},${d},${v.toFixed(3)}` : `${d},${v.toFixed(3)}`);
  }
  return rows.join('\n') + '\n';
}

test('anomalies --series finds a planted spike with the contract fields', async () => {
  const dir = tempDir('tally-an-');
  const f = join(dir, 's.csv');
  writeFileSync(f, dailyCsv('timestamp,value', 70, 55));
  const r = await runCli(['anomalies', '--series', f, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { anomalies } = r.json<{ anomalies: SeriesAnomaly[] }>();
  assert.equal(anomalies.length, 1);
  const a = anomalies[0]!;
  assert.equal(a.seriesId, 'default');
  assert.equal(a.timestamp, '2026-02-25');
  assert.ok(a.actual > 2 * a.expected && a.score > 4);
});

test('anomalies --series scores each point with data up to it only (appending the future changes nothing before)', async () => {
  const dir = tempDir('tally-an-');
  const full = dailyCsv('ds,y', 80, 40);
  const cut =
    full
      .split('\n')
      .slice(0, 1 + 50)
      .join('\n') + '\n';
  writeFileSync(join(dir, 'full.csv'), full);
  writeFileSync(join(dir, 'cut.csv'), cut);
  const a = await runCli(['anomalies', '--series', join(dir, 'full.csv'), '--json']);
  const b = await runCli(['anomalies', '--series', join(dir, 'cut.csv'), '--json']);
  const before = (xs: SeriesAnomaly[]) => xs.filter((x) => x.timestamp < '2026-02-20');
  assert.deepEqual(
    before(a.json<{ anomalies: SeriesAnomaly[] }>().anomalies),
    before(b.json<{ anomalies: SeriesAnomaly[] }>().anomalies),
  );
  assert.equal(before(a.json<{ anomalies: SeriesAnomaly[] }>().anomalies).length, 1);
});

test('anomalies --series handles many series in series_id,timestamp,value form', async () => {
  const dir = tempDir('tally-an-');
  const f = join(dir, 'many.csv');
  const a = dailyCsv('series_id,timestamp,value', 60, 45, 'a');
  const b = dailyCsv('x', 60, -1, 'b').split('\n').slice(1).join('\n');
  writeFileSync(f, a + b);
  const r = await runCli(['anomalies', '--series', f, '--json']);
  const { anomalies } = r.json<{ anomalies: SeriesAnomaly[] }>();
  assert.deepEqual(
    anomalies.map((x) => x.seriesId),
    ['a'],
  );
});

test('anomalies --db reports a team spike as one incident naming the team and model as its root cause', async () => {
  // 42 days; on day 35 (a Thursday) the search team runs 60 extra gpt-4o requests an hour for 6 hours.
  const db = await makeSpendStore({
    days: 42,
    start: '2026-01-01',
    planted: [{ team: 'search', model: 'gpt-4o', fromHour: 35 * 24 + 8, toHour: 35 * 24 + 14, requests: 60 }],
  });
  const r = await runCli(['anomalies', '--db', db, '--from', '2026-01-29', '--to', '2026-02-12', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { incidents } = r.json<{ incidents: Incident[] }>();
  // Seen daily and hourly, in the total, the team and the model: one incident.
  assert.equal(incidents.length, 1, JSON.stringify(incidents));
  const i = incidents[0]!;
  assert.equal(i.start.slice(0, 10), '2026-02-05');
  assert.match(i.rootCause, /team=search/);
  assert.match(i.rootCause, /model=gpt-4o/);
  assert.ok(i.scopes.includes('team=search') && i.scopes.length > 2, i.scopes.join(';'));
  // 6 hours x 60 requests x $0.10 = $36 extra, printed to the cent as text.
  assert.match(i.impactUsd, /^\d+\.\d\d$/);
  assert.ok(Math.abs(Number(i.impactUsd) - 36) < 6, i.impactUsd);
  assert.equal(i.state, 'new');
  assert.match(i.id, /^inc_[0-9a-f]{24}$/);
});

test('anomalies --db gives an incident the same opaque id whatever day the scan starts on', async () => {
  const db = await makeSpendStore({
    days: 42,
    start: '2026-01-01',
    planted: [{ team: 'search', model: 'gpt-4o', fromHour: 35 * 24 + 8, toHour: 35 * 24 + 14, requests: 60 }],
  });
  const ids = async (from: string) => {
    const r = await runCli(['anomalies', '--db', db, '--from', from, '--to', '2026-02-12', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return r.json<{ incidents: Incident[] }>().incidents.map((i) => i.id);
  };
  const early = await ids('2026-01-29');
  assert.equal(early.length, 1);
  assert.match(early[0]!, /^inc_[0-9a-f]{24}$/);
  assert.deepEqual(await ids('2026-02-03'), early);
});

test('anomalies --db watches ingested cost exports by tag too, naming the team from the Tags column', async () => {
  const dir = tempDir('tally-an-');
  const db = join(dir, 'costs.duckdb');
  const store = await openStore({ path: db });
  const day = 86_400_000;
  const t0 = Date.UTC(2026, 0, 1);
  for (let d = 0; d < 45; d++)
    for (const team of ['risk', 'web']) {
      // Daily export rows: $200 a weekday, $120 a weekend day each, +-2%; risk spends $900 more on day 40.
      const dow = new Date(t0 + d * day).getUTCDay();
      const base = (dow === 0 || dow === 6 ? 120 : 200) * (1 + 0.02 * Math.sin(d * 2.1 + team.length));
      const cost = (base + (team === 'risk' && d === 40 ? 900 : 0)).toFixed(4);
      await duckdbSql(store).exec(
        `INSERT INTO cost_rows (_row_id, "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "Tags", "x_AiModel", "ResourceName")
         VALUES ($1, $2, $3, $4, $4, $5, 'gpt-4o', 'aoai-shared')`,
        [
          `${team}-${d}`,
          new Date(t0 + d * day),
          new Date(t0 + (d + 1) * day),
          cost,
          JSON.stringify({ team }),
        ],
      );
    }
  await store.close();
  const r = await runCli(['anomalies', '--db', db, '--from', '2026-02-01', '--to', '2026-02-15', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { incidents } = r.json<{ incidents: Incident[] }>();
  assert.equal(incidents.length, 1, JSON.stringify(incidents));
  const i = incidents[0]!;
  assert.equal(i.start, '2026-02-10T00:00:00.000Z');
  assert.ok(Math.abs(Number(i.impactUsd) - 900) < 60, i.impactUsd);
  assert.match(i.rootCause, /^team=risk\b/);
});

test('anomalies --series does not flag a reading that was sent twice at one timestamp (ADR 0044)', async () => {
  const dir = tempDir('tally-an-dup-');
  const f = join(dir, 'resent.csv');
  const rows = ['timestamp,value'];
  for (let i = 0; i < 4 * 288; i++) {
    const ts = new Date(Date.UTC(2015, 8, 1) + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    const v = (60 + 3 * Math.sin(i * 0.7) + 2 * Math.cos(i * 1.9)).toFixed(0);
    rows.push(`${ts},${v}`);
    if (i === 3 * 288) rows.push(`${ts},${v}`);
  }
  writeFileSync(f, rows.join('\n') + '\n');
  const averaged = await runCli(['anomalies', '--series', f, '--json']);
  assert.equal(averaged.code, 0, averaged.stderr);
  assert.equal(averaged.json<{ anomalies: SeriesAnomaly[] }>().anomalies.length, 0);
  const summed = await runCli(['anomalies', '--series', f, '--duplicates', 'sum', '--json']);
  assert.equal(summed.code, 0, summed.stderr);
  const flagged = summed.json<{ anomalies: SeriesAnomaly[] }>().anomalies;
  assert.equal(flagged.length, 1);
  // Written as the file writes its timestamps (zone-less, space-separated), so a reader can match it to the row.
  assert.equal(flagged[0]!.timestamp, '2015-09-04 00:00:00');
  const bad = await runCli(['anomalies', '--series', f, '--duplicates', 'max', '--json']);
  assert.notEqual(bad.code, 0);
});

test('anomalies --series reads an integer index (as benchmark files write it) and finds a shift in a cycle of its own length', async () => {
  const dir = tempDir('tally-an-index-');
  const f = join(dir, 'index.csv');
  const rows = ['timestamp,value,is_anomaly'];
  let s = 7;
  const noise = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 3;
  for (let i = 1; i <= 1420; i++) {
    const v = 10 * Math.sin((2 * Math.PI * i) / 24) + noise() + (i > 900 ? 15 : 0);
    rows.push(`${i},${v.toFixed(4)},${i === 901 ? 1 : 0}`);
  }
  writeFileSync(f, rows.join('\n') + '\n');
  const r = await runCli(['anomalies', '--series', f, '--json']);
  assert.equal(r.code, 0, r.stderr);
  // Read as seconds after 1970 it had no usable season (a day is 86,400 of them) and the shift scored under 6.
  assert.deepEqual(
    r.json<{ anomalies: SeriesAnomaly[] }>().anomalies.map((a) => a.timestamp),
    ['901'],
  );
});

test("a drop on one of the organisation's holidays (reporting.holidays) is the calendar, not an incident; an undeclared one still is", async () => {
  const db = await makeSpendStore({ days: 63, start: '2026-01-01', quiet: ['2026-01-19', '2026-02-16'] });
  const args = ['anomalies', '--db', db, '--from', '2026-01-01', '--to', '2026-03-05', '--json'];
  const drops = (r: { json<T>(): T }) =>
    r
      .json<{ incidents: { start: string; kind: string }[] }>()
      .incidents.filter((i) => i.kind === 'drop')
      .map((i) => i.start.slice(0, 10))
      .sort();
  const plain = await runCli(args);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(
    drops(plain),
    ['2026-01-19', '2026-02-16'],
    'both quiet Mondays are drops without a calendar',
  );
  const config = join(tempDir('tally-hol-'), 'tally.yaml');
  writeFileSync(config, 'reporting:\n  holidays: ["2026-01-19"]\n');
  const declared = await runCli([...args, '--config', config]);
  assert.equal(declared.code, 0, declared.stderr);
  assert.deepEqual(drops(declared), ['2026-02-16']);
});
