/**
 * Public forecasting data for `npm run eval:forecast`, read from ../shared/data (never copied into the repo):
 * M4 Weekly (train/test), Prophet's example series (daily page views, 5-minute temperatures) and NAB's
 * artificial 5-minute series, also summed to hourly. Absent files yield no series.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeriesCsv } from '../src/analytics/_series/index.js';

/** A public series with its frequency. */
export interface PublicSeries {
  readonly dataset: string;
  readonly id: string;
  readonly freq: 'weekly' | 'daily' | 'hourly' | '30min' | '5min';
  readonly timestamps: number[];
  readonly values: number[];
  /** M4 only: the held-out future values. */
  readonly test?: number[];
}

/** The data root: ../shared/data relative to the repo root. */
export const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');

function csvRows(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(',').map((c) => c.replace(/"/g, '').trim()));
}

/** M4 Weekly: each train row is a series (weekly timestamps invented from 2000-01-03, a Monday). */
export function m4Weekly(): PublicSeries[] {
  const dir = join(DATA, 'eval', 'm4-weekly');
  if (!existsSync(join(dir, 'Weekly-train.csv'))) return [];
  const train = csvRows(readFileSync(join(dir, 'Weekly-train.csv'), 'utf8')).slice(1);
  const test = new Map(
    csvRows(readFileSync(join(dir, 'Weekly-test.csv'), 'utf8'))
      .slice(1)
      .map((r) => [
        r[0]!,
        r
          .slice(1)
          .filter((c) => c !== '')
          .map(Number),
      ]),
  );
  return train.map((r) => {
    const values = r
      .slice(1)
      .filter((c) => c !== '')
      .map(Number);
    const t0 = Date.UTC(2000, 0, 3);
    return {
      dataset: 'm4-weekly',
      id: r[0]!,
      freq: 'weekly' as const,
      timestamps: values.map((_, i) => t0 + i * 7 * 86_400_000),
      values,
      test: test.get(r[0]!) ?? [],
    };
  });
}

function fromFile(path: string, dataset: string, id: string, freq: PublicSeries['freq']): PublicSeries[] {
  if (!existsSync(path)) return [];
  const s = parseSeriesCsv(readFileSync(path, 'utf8'), path)[0]!;
  return [{ dataset, id, freq, timestamps: [...s.timestamps], values: [...s.values] }];
}

/**
 * Sums (or averages) a sub-hourly series into hours, keeping complete hours only (`perHour` points each: 12 for
 * 5-minute data, 2 for 30-minute).
 */
export function toHourly(s: PublicSeries, mean: boolean, perHour = 12): PublicSeries {
  const buckets = new Map<number, number[]>();
  s.timestamps.forEach((t, i) => {
    const h = Math.floor(t / 3_600_000) * 3_600_000;
    const b = buckets.get(h) ?? [];
    b.push(s.values[i]!);
    buckets.set(h, b);
  });
  const full = [...buckets].filter(([, v]) => v.length === perHour).sort((a, b) => a[0] - b[0]);
  return {
    dataset: `${s.dataset}-hourly`,
    id: s.id,
    freq: 'hourly',
    timestamps: full.map(([t]) => t),
    values: full.map(([, v]) => v.reduce((a, b) => a + b, 0) / (mean ? v.length : 1)),
  };
}

/** Prophet's example series: daily page views (two) and 5-minute temperatures (also as hourly means). */
export function prophetExamples(): PublicSeries[] {
  const dir = join(DATA, 'forecast-example');
  const daily = [
    ...fromFile(join(dir, 'example_wp_log_peyton_manning.csv'), 'wp-daily', 'peyton_manning', 'daily'),
    ...fromFile(join(dir, 'example_wp_log_R_outliers1.csv'), 'wp-daily', 'R_outliers1', 'daily'),
  ];
  const temps = fromFile(join(dir, 'example_yosemite_temps.csv'), 'yosemite', 'temps', '5min');
  return [...daily, ...temps, ...temps.map((s) => toHourly(s, true))];
}

/** NAB's artificial series (5-minute) and their hourly sums. */
export function nabArtificial(): PublicSeries[] {
  const root = join(DATA, 'eval', 'nab-artificial', 'data');
  if (!existsSync(root)) return [];
  const out: PublicSeries[] = [];
  for (const dir of readdirSync(root).sort())
    for (const f of readdirSync(join(root, dir)).sort())
      out.push(...fromFile(join(root, dir, f), 'nab', f.replace('.csv', ''), '5min'));
  return [...out, ...out.map((s) => toHourly(s, false))];
}

const FREQ_OF_STEP = new Map<number, PublicSeries['freq']>([
  [86_400_000, 'daily'],
  [3_600_000, 'hourly'],
  [1_800_000, '30min'],
  [300_000, '5min'],
]);

/**
 * A fresh hold-out: every `timestamp,value` CSV in the directory named by TALLY_FORECAST_HOLDOUT (kept outside the
 * repository; none when unset or absent), daily, hourly or 5-minute by its median step. Never used to choose anything.
 */
export function holdout(): PublicSeries[] {
  const dir = process.env.TALLY_FORECAST_HOLDOUT;
  if (!dir || !existsSync(dir)) return [];
  const out: PublicSeries[] = [];
  for (const f of readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .sort()) {
    const s = parseSeriesCsv(readFileSync(join(dir, f), 'utf8'), f)[0];
    if (!s || s.timestamps.length < 3) continue;
    const gaps = s.timestamps.slice(1).map((t, i) => t - s.timestamps[i]!);
    const freq = FREQ_OF_STEP.get(gaps.sort((a, b) => a - b)[gaps.length >> 1]!);
    if (freq)
      out.push({
        dataset: `holdout-${f.replace('.csv', '')}`,
        id: f,
        freq,
        timestamps: [...s.timestamps],
        values: [...s.values],
      });
  }
  return out;
}

/** One split's part of the fresh demand data: its sub-hourly files summed to hours, and (FRESH_NATIVE) as they are. */
export interface FreshSeries extends PublicSeries {
  readonly split: 'tune' | 'report';
}

/**
 * Fresh demand-like data (TALLY_FORECAST_FRESH, kept outside the repository): `timestamp,value` CSVs in its `tune/`
 * and `report/` folders, which go to the split of the same name. Sub-hourly files (5- or 30-minute) are summed to
 * hourly series (complete hours only); with `native` they are also kept at their own step. Hourly files are kept as
 * they are; other steps, unreadable or too short files, and absent folders yield nothing.
 */
export function fresh(native: boolean, dir = process.env.TALLY_FORECAST_FRESH): FreshSeries[] {
  if (!dir || !existsSync(dir)) return [];
  const out: FreshSeries[] = [];
  for (const split of ['tune', 'report'] as const) {
    const sub = join(dir, split);
    if (!existsSync(sub)) continue;
    for (const f of readdirSync(sub)
      .filter((name) => name.endsWith('.csv'))
      .sort()) {
      let s;
      try {
        s = parseSeriesCsv(readFileSync(join(sub, f), 'utf8'), f)[0];
      } catch {
        continue;
      }
      if (!s || s.timestamps.length < 3) continue;
      const gaps = s.timestamps.slice(1).map((t, i) => t - s.timestamps[i]!);
      const step = gaps.sort((a, b) => a - b)[gaps.length >> 1]!;
      const freq = FREQ_OF_STEP.get(step);
      if (freq !== 'hourly' && freq !== '30min' && freq !== '5min') continue;
      const series: PublicSeries = {
        dataset: 'fresh',
        id: f.replace('.csv', ''),
        freq,
        timestamps: [...s.timestamps],
        values: [...s.values],
      };
      if (freq === 'hourly') out.push({ ...series, split });
      else {
        out.push({ ...toHourly(series, false, 3_600_000 / step), dataset: 'fresh', split });
        if (native) out.push({ ...series, split });
      }
    }
  }
  return out;
}
