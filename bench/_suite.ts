/**
 * The labelled synthetic suite for the evaluation harness: daily and hourly spend-like series (level,
 * weekly/daily seasonality, trend, multiplicative noise) with one planted anomaly of a known kind and window,
 * or none. Seeded, so every run measures the same suite.
 */
import { rng } from '../src/analytics/anomalies/_test-rng.js';

/** Kinds of planted anomaly. */
export type PlantedKind = 'spike' | 'shift' | 'drift' | 'runaway' | 'drop';

/** One labelled series. */
export interface LabelledSeries {
  readonly id: string;
  readonly granularity: 'day' | 'hour';
  readonly season: number;
  readonly values: number[];
  /** The same series without the anomaly and continued `future` steps (for forecast evaluation). */
  readonly clean: number[];
  readonly label: { kind: PlantedKind; start: number; end: number } | null;
}

/** Seeded noise, shared with the detector's tests. */
export { rng };

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Generates `count` series; `future` extra clean steps are appended to `clean` only. */
export function generateSuite(count: number, seed = 7, future = 0): LabelledSeries[] {
  const r = rng(seed);
  const out: LabelledSeries[] = [];
  for (let k = 0; k < count; k++) {
    const hourly = r() < 0.35;
    const season = hourly ? 24 : 7;
    const n = hourly ? 24 * 28 : 120;
    const level = Math.exp(2 + r() * 6); // $7 .. $3,000 per step
    const amp = r() * 0.5;
    const weekly = hourly ? 0 : amp;
    const daily = hourly ? amp : 0;
    const trendPerStep = (r() * 0.004 - 0.001) / (hourly ? 24 : 1);
    const noise = 0.03 + r() * 0.07;
    const phase = Math.floor(r() * season);
    const total = n + future;
    const base: number[] = [];
    for (let t = 0; t < total; t++) {
      const sea =
        weekly * (t % 7 >= 5 ? -0.6 : 0.24) * (phase % 2 ? 1 : 0.7) +
        daily * Math.sin((2 * Math.PI * (t + phase)) / 24);
      const mu = level * (1 + trendPerStep * t) * (1 + sea);
      base.push(Math.max(0, mu * (1 + noise * gauss(r))));
    }
    const values = base.slice(0, n);
    let label: LabelledSeries['label'] = null;
    const u = r();
    if (u >= 0.2) {
      const kinds: PlantedKind[] = hourly
        ? ['spike', 'runaway', 'drop', 'shift']
        : ['spike', 'shift', 'drift', 'drop'];
      const kind = kinds[Math.floor(r() * kinds.length)]!;
      // Mostly after 4 seasons of history; one in five in the cold-start tiers (1 to 4 seasons).
      const warm = r() < 0.2 ? season + Math.floor(r() * 3 * season) : 4 * season;
      const start = warm + Math.floor(r() * (n - warm - (kind === 'drift' ? 21 : 8)));
      let end = start;
      if (kind === 'spike') values[start] = values[start]! * (2 + r() * 3);
      else if (kind === 'runaway') {
        end = start + 3 + Math.floor(r() * 9);
        const f = 3 + r() * 7;
        for (let t = start; t <= end && t < n; t++) values[t] = values[t]! * f;
      } else if (kind === 'drop') {
        end = start + 1 + Math.floor(r() * (hourly ? 6 : 3));
        const f = r() * 0.3;
        for (let t = start; t <= end && t < n; t++) values[t] = values[t]! * f;
      } else if (kind === 'shift') {
        const f = 1.6 + r() * 1.4;
        for (let t = start; t < n; t++) values[t] = values[t]! * f;
        end = start + season;
      } else {
        // Drift: a prompt that grows 4-8% a day for two weeks, then stays.
        const g = 0.04 + r() * 0.04;
        end = start + 14;
        for (let t = start; t < n; t++) values[t] = values[t]! * (1 + g * Math.min(t - start + 1, 14));
      }
      label = { kind, start, end: Math.min(end, n - 1) };
    }
    out.push({ id: `s${k}`, granularity: hourly ? 'hour' : 'day', season, values, clean: base, label });
  }
  return out;
}
