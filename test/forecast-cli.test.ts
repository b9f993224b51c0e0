import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { makeSpendStore } from './_spend-fixture.js';
import { tempDir } from './_temp.js';

interface Out {
  series: {
    id: string;
    season: number;
    points: { timestamp: string; p10: number; p50: number; p90: number }[];
  }[];
}

function csv(header: string, hours: number, id?: string): string {
  const rows = [header];
  for (let i = 0; i < hours; i++) {
    const ts = new Date(Date.UTC(2026, 2, 1, i)).toISOString();
    const v = 40 + 20 * Math.sin((2 * Math.PI * i) / 24) + (i % 3);
    rows.push(id ? `${id},${ts},${v}` : `${ts},${v}`);
  }
  return rows.join('\n') + '\n';
}

test('forecast --series prints p10/p50/p90 per future timestamp for a single-series file as id "default"', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'h.csv');
  writeFileSync(f, csv('timestamp,value', 24 * 10));
  const r = await runCli(['forecast', '--series', f, '--horizon', '6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<Out>();
  assert.equal(out.series.length, 1);
  const s = out.series[0]!;
  assert.equal(s.id, 'default');
  assert.equal(s.season, 24); // detected
  assert.equal(s.points.length, 6);
  assert.equal(s.points[0]!.timestamp, '2026-03-11T00:00:00.000Z');
  assert.equal(s.points[5]!.timestamp, '2026-03-11T05:00:00.000Z');
  for (const p of s.points) assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90);
  // The daily cycle carries on: hour 6 (peak side) is above hour 0's level.
  assert.ok(Math.abs(s.points[0]!.p50 - 40) < 5, String(s.points[0]!.p50));
});

test('forecast --series writes future timestamps as the file writes its own (zone-less, or an integer index)', async () => {
  const dir = tempDir('tally-fc-style-');
  const naive = join(dir, 'nab.csv');
  writeFileSync(naive, csv('timestamp,value', 24 * 10).replace(/T(\d\d:\d\d:\d\d)\.000Z/g, ' $1'));
  const a = await runCli(['forecast', '--series', naive, '--horizon', '2', '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(
    a.json<Out>().series[0]!.points.map((p) => p.timestamp),
    ['2026-03-11 00:00:00', '2026-03-11 01:00:00'],
  );
  const index = join(dir, 'index.csv');
  const rows = ['timestamp,value'];
  for (let i = 1; i <= 300; i++) rows.push(`${i},${(10 * Math.sin((2 * Math.PI * i) / 24)).toFixed(3)}`);
  writeFileSync(index, rows.join('\n') + '\n');
  const b = await runCli(['forecast', '--series', index, '--horizon', '2', '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(
    b.json<Out>().series[0]!.points.map((p) => p.timestamp),
    ['301', '302'],
  );
});

test('forecast --series takes series_id,timestamp,value files and an explicit --season', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'm.csv');
  const b = csv('x', 24 * 3, 'b')
    .split('\n')
    .slice(1)
    .join('\n');
  writeFileSync(f, csv('series_id,timestamp,value', 24 * 5, 'a') + b);
  const r = await runCli(['forecast', '--series', f, '--horizon', '3', '--season', '24', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<Out>();
  assert.deepEqual(
    out.series.map((s) => [s.id, s.season, s.points.length]),
    [
      ['a', 24, 3],
      ['b', 24, 3],
    ],
  );
});

test('forecast reads Prophet-style ds,y files with dates and prints dates', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'd.csv');
  const rows = ['"ds","y"'];
  for (let i = 0; i < 40; i++)
    rows.push(`"${new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)}",${10 + (i % 7)}`);
  writeFileSync(f, rows.join('\n'));
  const r = await runCli(['forecast', '--series', f, '--horizon', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.json<Out>().series[0]!.points.map((p) => p.timestamp),
    ['2026-02-10', '2026-02-11'],
  );
});

test('forecast without --series reads the default store and says when it holds no spend', async () => {
  const { rmSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const cwd = tempDir('tally-fc-default-');
  try {
    const r = await runCli(['forecast', '--json'], { cwd, env: { TALLY_DB: '' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no spend/);
    assert.ok(existsSync(join(cwd, '.tally', 'tally.duckdb')), 'it looked in .tally/tally.duckdb');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('forecast --db forecasts daily spend of a scope from the store', async () => {
  const db = await makeSpendStore({ days: 35, start: '2026-01-01' });
  const r = await runCli([
    'forecast',
    '--db',
    db,
    '--to',
    '2026-02-05',
    '--scope',
    'team=search',
    '--horizon',
    '7',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = r.json<Out>().series[0]!;
  assert.equal(s.id, 'team=search');
  assert.equal(s.season, 7);
  assert.equal(s.points[0]!.timestamp, '2026-02-05');
  // The fixture's search team spends about $24 a weekday and $14.40 a weekend day; Feb 7 2026 is a Saturday.
  assert.ok(Math.abs(s.points[0]!.p50 - 24) < 3, String(s.points[0]!.p50));
  assert.ok(s.points[2]!.p50 < 0.75 * s.points[0]!.p50);
});

test("a store forecast reports its variable part's backtest in --json and prints it, with the committed schedule, under --explain", async () => {
  const db = await makeSpendStore({ days: 35, start: '2026-01-01' });
  const args = ['forecast', '--db', db, '--to', '2026-02-05', '--scope', 'team=search', '--horizon', '7'];
  const r = await runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = r.json<{
    series: {
      model: string;
      backtest: { origins: number; winner: string; candidates: { model: string }[] };
    }[];
  }>().series[0]!;
  assert.ok(s.backtest.origins >= 3, JSON.stringify(s.backtest));
  const models = s.backtest.candidates.map((c) => c.model);
  assert.ok(models.includes('seasonal-naive'), models.join());
  assert.ok(models.includes(s.backtest.winner), `${s.backtest.winner} is one of ${models.join()}`);
  const t = await runCli([...args, '--explain']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /committed cost: [\d.]+ USD over the 7 days/);
  assert.match(t.stdout, /variable cost \(usage\), forecast from \d+ days of history/);
  assert.match(t.stdout, new RegExp(`${s.backtest.winner}\\s.*<- chosen`));
  for (const m of models) assert.match(t.stdout, new RegExp(`^  ${m}\\s`, 'm'));
  const plain = await runCli(args);
  assert.doesNotMatch(plain.stdout, /<- chosen/);
});

test('spend forecasts give the holidays in reporting.holidays their own effect, in tally forecast and budgets status', async () => {
  // Two past Monday holidays with a fifth of the traffic; the week forecast holds a third (Monday 2026-03-09).
  const db = await makeSpendStore({ days: 63, start: '2026-01-01', quiet: ['2026-01-19', '2026-02-16'] });
  const dir = tempDir('tally-holidays-');
  const config = join(dir, 'tally.yaml');
  writeFileSync(config, 'reporting:\n  holidays: ["2026-01-19", "2026-02-16", "2026-03-09"]\n');
  const args = [
    'forecast',
    '--db',
    db,
    '--to',
    '2026-03-05',
    '--scope',
    'team=search',
    '--horizon',
    '7',
    '--json',
  ];
  const day = (r: { json<T>(): T }, d: string) =>
    r.json<Out>().series[0]!.points.find((p) => p.timestamp === d)!.p50;
  const plain = await runCli(args);
  const withConfig = await runCli([...args, '--config', config]);
  const withFlag = await runCli([...args, '--holidays', '2026-01-19,2026-02-16,2026-03-09']);
  for (const r of [plain, withConfig, withFlag]) assert.equal(r.code, 0, r.stderr);
  // Without the calendar Monday is a weekday like Tuesday; with it (config or flag) it is forecast as quiet.
  assert.ok(day(plain, '2026-03-09') > 0.8 * day(plain, '2026-03-10'), 'no holiday without the calendar');
  for (const r of [withConfig, withFlag])
    assert.ok(day(r, '2026-03-09') < 0.5 * day(r, '2026-03-10'), String(day(r, '2026-03-09')));
  assert.deepEqual(withConfig.json(), withFlag.json(), 'the config and the flag are the same calendar');
  const explained = await runCli([...args.filter((a) => a !== '--json'), '--config', config, '--explain']);
  assert.match(explained.stdout, /holidays: 2 in the history give their effect to 2026-03-09/);
  // A bad date in the config is refused with the field and what to write.
  writeFileSync(config, 'reporting:\n  holidays: ["2026-02-30"]\n');
  const bad = await runCli([...args, '--config', config]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /reporting\.holidays.*a real calendar date/s);
});

test('forecast --explain prints every candidate with its backtest MASE, sMAPE and coverage and marks the chosen one', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'h.csv');
  writeFileSync(f, csv('timestamp,value', 24 * 10));
  const r = await runCli(['forecast', '--series', f, '--horizon', '12', '--explain']);
  assert.equal(r.code, 0, r.stderr);
  for (const model of [
    'seasonal-naive',
    'ets',
    'decomp-holt',
    'decomp-theta',
    'cycle-profile',
    'harmonic',
    'ensemble',
  ])
    assert.match(r.stdout, new RegExp(`^  ${model} +\\d+\\.\\d{3} +\\d+\\.\\d{2} +\\d\\.\\d{2}`, 'm'));
  assert.equal((r.stdout.match(/<- chosen/g) ?? []).length, 1);
  assert.match(r.stdout, /rolling origins, 12 steps ahead each/);
});

test('forecast --explain names the combination members with their weights when a trend beats seasonal naive', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'trend.csv');
  const rows = ['timestamp,value'];
  for (let i = 0; i < 90; i++) {
    const day = new Date(Date.UTC(2026, 8, 1 + i));
    const weekend = day.getUTCDay() % 6 === 0 ? 0.6 : 1;
    rows.push(
      `${day.toISOString().slice(0, 10)},${100 * 1.015 ** i * weekend * (1 + 0.03 * Math.sin(i * 12.9898))}`,
    );
  }
  writeFileSync(f, rows.join('\n') + '\n');
  const r = await runCli(['forecast', '--series', f, '--horizon', '14', '--explain']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /combination .*<- chosen/);
  const line = /^ {2}combination = (.+)$/m.exec(r.stdout);
  assert.ok(line, r.stdout);
  const parts = line[1]!.split(' + ').map((p) => /^(\d\.\d\d) x ([a-z-]+)$/.exec(p)!);
  assert.equal(parts.length, 3);
  const weights = parts.map((m) => Number(m[1]));
  assert.ok(Math.abs(weights.reduce((a, w) => a + w, 0) - 1) <= 0.02, String(weights));
  assert.ok(weights[0]! >= weights[1]! && weights[1]! >= weights[2]!, String(weights));
});

test('forecast --json carries each series model and backtest, with many series in one run', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'many.csv');
  const rows = ['series_id,timestamp,value'];
  for (let k = 0; k < 120; k++)
    for (let i = 0; i < 24 * 8; i++)
      rows.push(
        `s${k},${new Date(Date.UTC(2026, 2, 1, i)).toISOString()},${10 + k + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * k) % 3)}`,
      );
  writeFileSync(f, rows.join('\n'));
  const r = await runCli(['forecast', '--series', f, '--horizon', '24', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json<{
    series: (Out['series'][number] & {
      model: string;
      backtest: {
        winner: string;
        members: string[];
        origins: number;
        candidates: { model: string; mase: number }[];
      };
    })[];
  }>();
  assert.equal(out.series.length, 120);
  for (const s of out.series) {
    assert.equal(s.points.length, 24);
    assert.equal(s.model, s.backtest.winner);
    assert.ok(s.backtest.origins >= 2);
    // Seasonal naive when it is within 5% of the lowest MASE, else the three lowest weighted by 1 / MASE^2.
    const singles = s.backtest.candidates.filter((c) => c.model !== 'combination');
    const ranked = [...singles].sort((a, b) => a.mase - b.mase);
    const naive = singles.find((c) => c.model === 'seasonal-naive')!;
    if (naive.mase <= ranked[0]!.mase * 1.05) assert.equal(s.model, 'seasonal-naive');
    else assert.deepEqual(s.backtest.members, [ranked[0]!.model, ranked[1]!.model, ranked[2]!.model]);
  }
});

test('forecast from ten days says it used the short-history forecaster, in --json and --explain', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'ten.csv');
  const rows = ['timestamp,value'];
  for (let i = 0; i < 10; i++) {
    const day = new Date(Date.UTC(2026, 8, 7 + i));
    rows.push(`${day.toISOString().slice(0, 10)},${day.getUTCDay() % 6 === 0 ? 40 : 100 + (i % 3)}`);
  }
  writeFileSync(f, rows.join('\n') + '\n');
  const j = await runCli(['forecast', '--series', f, '--horizon', '7', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const s = j.json<{
    series: { model: string; shortHistory?: { season: number; alpha: number; blend: number } }[];
  }>().series[0]!;
  assert.equal(s.model, 'profile');
  assert.equal(s.shortHistory?.season, 7);
  assert.ok(s.shortHistory.alpha > 0 && s.shortHistory.alpha <= 1);
  const e = await runCli(['forecast', '--series', f, '--horizon', '7', '--explain']);
  assert.equal(e.code, 0, e.stderr);
  assert.match(
    e.stdout,
    /short history: .*exponential smoothing \(alpha [\d.]+\) with the last cycles' shape of a 7-step season/,
  );
});

test('forecast --linear lets the learned linear candidate into the backtest that --explain prints', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'h.csv');
  writeFileSync(f, csv('timestamp,value', 24 * 21));
  const off = await runCli(['forecast', '--series', f, '--horizon', '24', '--explain']);
  const on = await runCli(['forecast', '--series', f, '--horizon', '24', '--explain', '--linear']);
  assert.equal(on.code, 0, on.stderr);
  assert.doesNotMatch(off.stdout, /^ {2}linear /m);
  assert.match(on.stdout, /^ {2}linear +\d+\.\d{3}/m);
});

test('forecast --series of many series prints the same JSON with --threads 2 as with --threads 1, and rejects a bad --threads', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'many.csv');
  const body = Array.from({ length: 12 }, (_, s) => csv('', 24 * 70, `s${s}`).replace(/^\n/, '')).join('');
  writeFileSync(f, `series_id,timestamp,value\n${body}`);
  const one = await runCli(['forecast', '--series', f, '--horizon', '24', '--json', '--threads', '1']);
  const two = await runCli(['forecast', '--series', f, '--horizon', '24', '--json', '--threads', '2']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(one.json<Out>().series.length, 12);
  assert.equal(two.stdout, one.stdout);
  const bad = await runCli(['forecast', '--series', f, '--json', '--threads', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /--threads/);
  // Above the cap: refused with the range in the message, before any work starts.
  const many = await runCli(['forecast', '--series', f, '--json', '--threads', '65']);
  assert.equal(many.code, 2);
  assert.match(many.stdout, /--threads: \\"65\\" is not a valid whole number from 1 to 64/);
});

test('a large many-series file with a bad row gives the same error with workers as without, and the run ends', async () => {
  const dir = tempDir('tally-fc-');
  const f = join(dir, 'bad.csv');
  const body = Array.from({ length: 12 }, (_, s) => csv('', 24 * 70, `s${s}`).replace(/^\n/, '')).join('');
  writeFileSync(f, `series_id,timestamp,value\n${body}s3,yesterday,5\n`);
  const one = await runCli(['forecast', '--series', f, '--horizon', '24', '--json', '--threads', '1']);
  const two = await runCli(['forecast', '--series', f, '--horizon', '24', '--json', '--threads', '2']);
  assert.equal(one.code, 2);
  assert.match(one.stdout, /bad.csv:20162: \\"yesterday\\" is not a timestamp/);
  assert.equal(two.code, one.code);
  assert.equal(two.stdout, one.stdout);
});
