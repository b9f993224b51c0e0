/**
 * The per-series work of `tally forecast --series` and `tally anomalies --series`, as plain functions of one series
 * and cloneable options, so the CLI runs them in-process or in a worker (`_worker.ts`) alike and prints the same
 * document either way (ADR 0054). Imports only the parts it runs, not the analytics door: a worker loads this file,
 * and the door would bring the store's drivers with it.
 */
import { forecastSeries } from '../forecast/index.js';
import { detectEvents } from '../anomalies/_events.js';
import { formatTime, type Series } from '../_series/index.js';

/** What `tally forecast --series` fixes for every series (structured-cloneable: it crosses to workers). */
export interface ForecastJobOptions {
  readonly horizon: number;
  readonly season?: number;
  readonly holidays: readonly number[];
  readonly linear: boolean;
}

/** What `tally anomalies --series` fixes for every series. */
export interface AnomalyJobOptions {
  readonly season?: number;
  readonly threshold?: number;
}

/** The jobs a worker can run, by name: each maps one series to the rows or object the command prints for it. */
export interface SeriesJobs {
  forecast: { options: ForecastJobOptions; result: ReturnType<typeof forecastJob> };
  anomalies: { options: AnomalyJobOptions; result: ReturnType<typeof anomalyJob> };
}
export type JobName = keyof SeriesJobs;

/** One series' forecast, as `tally forecast --series --json` prints it. */
export function forecastJob(s: Series, o: ForecastJobOptions) {
  const f = forecastSeries(
    s.timestamps.map((timestamp, i) => ({ timestamp, value: s.values[i]! })),
    {
      horizon: o.horizon,
      stepMs: s.stepMs,
      ...(o.season ? { season: o.season } : {}),
      holidays: o.holidays,
      linear: o.linear,
    },
  );
  return {
    id: s.id,
    season: f.seasons[0] ?? 1,
    seasons: f.seasons,
    model: f.model,
    points: f.points.map((p) => ({
      timestamp: formatTime(p.timestamp, s.stepMs, s.timeStyle),
      p10: p.p10,
      p50: p.p50,
      p90: p.p90,
    })),
    total: f.total,
    backtest: f.backtest,
    ...(f.shortHistory ? { shortHistory: f.shortHistory } : {}),
  };
}

/**
 * One series' alarms, as `tally anomalies --series --json` prints them: one row per event, at its first detected
 * point; seasons detected online (no look-ahead) unless a season is given, phases from the timestamps.
 */
export function anomalyJob(s: Series, o: AnomalyJobOptions) {
  return detectEvents(s.values, {
    stepMs: s.stepMs,
    timestamps: s.timestamps,
    season: o.season ?? 'auto',
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
  })
    .filter((p) => p.alarm)
    .map((p) => ({
      seriesId: s.id,
      timestamp: formatTime(s.timestamps[p.index]!, s.stepMs, s.timeStyle),
      actual: p.actual,
      expected: p.expected,
      score: p.score,
      kind: p.kind,
    }));
}

/** The job functions by name. */
export const JOBS: { [K in JobName]: (s: Series, o: SeriesJobs[K]['options']) => SeriesJobs[K]['result'] } = {
  forecast: forecastJob,
  anomalies: anomalyJob,
};

/** A thrown value, as it crosses back from a worker to the main thread. */
export interface WorkerFailure {
  readonly name: string;
  readonly message: string;
  /** Set for a TallyError: its code and details. */
  readonly code?: string;
  readonly details?: unknown;
}

/** The worker's entry file: the built .js beside this one, or under tsx (tests, development) the .ts source. */
export function seriesWorkerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./_worker.${ext}`, import.meta.url);
}
