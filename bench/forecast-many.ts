/**
 * Many-series forecasts and long anomaly scans through the compiled CLI (issue 13's contract, ADR 0054).
 *
 * Generates sized inputs (seeded, realistic shapes: daily and weekly cycles, trend changes, noise, a few zeros
 * and spikes) into a temp dir, runs `node bin/tally.js forecast|anomalies --series F --json` on each, and reports
 * wall time, CPU (user + sys of the child, all its threads) and peak RSS, with the load average at the time.
 *
 *   npm run bench:forecast-many [-- --only hourly,weekly] [--cli OTHER/bin/tally.js] [--threads N]
 *                               [--save DIR] [--check DIR] [--runs N]
 *
 * `--save DIR` keeps each case's stdout; `--check DIR` compares each case's stdout byte for byte with the one
 * saved there (save with the main branch's build, check with this one). Data is never committed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../src/analytics/anomalies/_test-rng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2024, 0, 1);

/** A standard normal draw. */
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/**
 * One series of `n` points `stepMs` apart: a level with a trend that changes once, a daily and a weekly cycle
 * (their strength varying by series), multiplicative noise, and a few zeros and spikes.
 */
function makeSeries(r: () => number, n: number, stepMs: number): number[] {
  const level = 20 + r() * 500;
  const day = stepMs < DAY ? 0.2 + r() * 0.6 : 0;
  const week = 0.05 + r() * 0.3;
  const slope1 = (r() - 0.4) * 0.002;
  const slope2 = (r() - 0.5) * 0.004;
  const change = Math.floor(n * (0.5 + r() * 0.4));
  const noise = 0.03 + r() * 0.12;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = START + i * stepMs;
    const hod = (t % DAY) / DAY;
    const dow = Math.floor(t / DAY) % 7;
    const trend = 1 + slope1 * Math.min(i, change) + slope2 * Math.max(0, i - change);
    const cycle = 1 + day * Math.sin(2 * Math.PI * (hod - 0.3)) + (dow >= 5 ? -week : week / 2.5);
    let v = level * Math.max(0.05, trend) * Math.max(0.05, cycle) * (1 + noise * gauss(r));
    const u = r();
    if (u < 0.002) v = 0;
    else if (u < 0.004) v *= 3 + r() * 4;
    out.push(Math.round(Math.max(0, v) * 1000) / 1000);
  }
  return out;
}

const iso = (t: number, stepMs: number) =>
  stepMs >= DAY ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString().slice(0, 19);

/** A `series_id,timestamp,value` file of `count` series (or a `timestamp,value` file when `count` is 1). */
function writeCsv(path: string, count: number, n: number, stepMs: number, seed: number): number {
  const r = rng(seed);
  const lines: string[] = [count > 1 ? 'series_id,timestamp,value' : 'timestamp,value'];
  for (let s = 0; s < count; s++) {
    const values = makeSeries(r, n, stepMs);
    const id = `S${String(s + 1).padStart(4, '0')}`;
    for (let i = 0; i < n; i++) {
      const ts = iso(START + i * stepMs, stepMs);
      lines.push(count > 1 ? `${id},${ts},${values[i]}` : `${ts},${values[i]}`);
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return count * n;
}

interface Case {
  readonly name: string;
  readonly command: 'forecast' | 'anomalies';
  readonly count: number;
  readonly n: number;
  readonly stepMs: number;
  readonly horizon?: number;
}

const MIN = 60_000;
const CASES: readonly Case[] = [
  { name: 'hourly', command: 'forecast', count: 414, n: 960, stepMs: HOUR, horizon: 48 },
  { name: 'daily', command: 'forecast', count: 500, n: 400, stepMs: DAY, horizon: 28 },
  { name: 'weekly', command: 'forecast', count: 359, n: 300, stepMs: 7 * DAY, horizon: 13 },
  { name: '5min', command: 'forecast', count: 20, n: 8640, stepMs: 5 * MIN, horizon: 288 },
  { name: 'anom-1min', command: 'anomalies', count: 1, n: 43_200, stepMs: MIN },
  { name: 'anom-5min', command: 'anomalies', count: 1, n: 60 * 288, stepMs: 5 * MIN },
  { name: 'anom-hourly', command: 'anomalies', count: 1, n: 2 * 365 * 24, stepMs: HOUR },
  { name: 'anom-ids', command: 'anomalies', count: 20, n: 30 * 24, stepMs: HOUR },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = join(import.meta.dirname, '..');
const cli = arg('cli') ?? join(root, 'bin', 'tally.js');
const only = arg('only')?.split(',');
const save = arg('save');
const check = arg('check');
const threads = arg('threads');
const runs = Number(arg('runs') ?? 1);
const dir = join(tmpdir(), 'tally-forecast-many');
mkdirSync(dir, { recursive: true });
if (save) mkdirSync(save, { recursive: true });

console.log(
  `cli ${cli}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at start`,
);
console.log('case         points   wall s   cpu s  peak MB  load1  output');
let failed = 0;
for (const c of CASES) {
  if (only && !only.includes(c.name)) continue;
  const file = join(dir, `${c.name}.csv`);
  const points = c.count * c.n;
  if (!existsSync(file)) writeCsv(file, c.count, c.n, c.stepMs, 13 + c.name.length * 7919);
  const args = [cli, c.command, '--series', file, '--json'];
  if (c.horizon) args.push('--horizon', String(c.horizon));
  if (threads && c.command === 'forecast') args.push('--threads', threads);
  for (let run = 0; run < runs; run++) {
    const load = loadavg()[0]!;
    const t0 = performance.now();
    // GNU time reports the child's user and system CPU (all threads) and its peak resident set.
    const res = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], {
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    const wall = (performance.now() - t0) / 1000;
    const timeLine = res.stderr.trim().split('\n').pop() ?? '';
    const [user, sys, kb] = timeLine.split(' ').map(Number);
    let verdict =
      res.status === 0 ? `${res.stdout.length} bytes` : `exit ${res.status}: ${res.stderr.slice(0, 200)}`;
    if (save && run === 0) writeFileSync(join(save, `${c.name}.json`), res.stdout);
    if (check) {
      const expected = readFileSync(join(check, `${c.name}.json`), 'utf8');
      const same = expected === res.stdout;
      if (!same) failed++;
      verdict += same ? ', identical' : ', DIFFERS from saved';
    }
    console.log(
      `${c.name.padEnd(12)} ${String(points).padStart(7)} ${wall.toFixed(2).padStart(8)} ${(user! + sys!)
        .toFixed(2)
        .padStart(7)} ${(kb! / 1024).toFixed(0).padStart(8)} ${load.toFixed(2).padStart(6)}  ${verdict}`,
    );
  }
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at end; git ${gitHead()}`,
);
if (failed) {
  console.log(`${failed} case(s) differ from ${check}`);
  process.exitCode = 1;
}

function gitHead(): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
