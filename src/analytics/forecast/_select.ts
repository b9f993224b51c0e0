/**
 * forecastSeries: the product's forecaster for one timestamped series. Seasons are the calendar's (day and
 * week in steps, anchored to the epoch so results do not depend on where history starts), every candidate is
 * backtested from rolling origins, seasonal naive is kept unless a candidate beats its mean MASE by 5%, else the
 * three best are combined with weights 1 / MASE^2, and the winner's backtest errors give p10/p50/p90, calibrated
 * per series and horizon to cover 80% leave-one-origin-out (shrunk toward the global rule when the backtest is
 * short: _calibrate.ts).
 * Histories whose backtest has under three origins use (or blend in) the short-history forecaster (_short.ts).
 */
import { detectSeason, naturalPeriods, stepAfter } from '../_series/index.js';
import { shortForecast, type ShortForecast } from './_short.js';
import { errorOf, bandsFromErrors } from './_intervals.js';
import { calibratedWidens } from './_calibrate.js';
import { relativeVolatility } from './_volatility.js';
import { combineBest } from './_combine.js';
import { ENSEMBLE_OF, forecastAll, type ModelInput, type ModelName } from './_models.js';
import { WEEK_MEDIAN_MIN_CYCLES, weekOf } from './_seasonal-median.js';
import { runBacktest, scoreCandidates, type CandidateScore } from './_backtest.js';

/** One timestamped observation (epoch milliseconds UTC). */
export interface SeriesPoint {
  readonly timestamp: number;
  readonly value: number;
}

/** Options for forecastSeries. */
export interface SeriesForecastOptions {
  /** Steps to forecast. */
  readonly horizon: number;
  /** One season in steps (1 = none); default: the calendar's day and week in steps that the history covers. */
  readonly season?: number;
  /** Sampling step in ms; default: the median gap between timestamps. */
  readonly stepMs?: number;
  /** Holiday dates (any timestamp inside the UTC day): left out of the seasonal profiles, with their own effect. */
  readonly holidays?: readonly number[];
  /** Clamp quantiles at zero; default when every value is >= 0. */
  readonly nonNegative?: boolean;
  /** Use only this many most recent points (default 4,032: 24 weeks of hours, 14 days of 5 minutes). */
  readonly maxHistory?: number;
  /** `total` covers steps from this index (0-based) to the horizon's end: a window that starts later. Default 0. */
  readonly totalFrom?: number;
  /**
   * Let the learned linear candidate (NLinear, _linear.ts) into the backtest. Off by default: the report split did
   * not confirm its tuning-split gain on hourly and daily series (ADR 0050).
   */
  readonly linear?: boolean;
}

/** A model's backtest, as the product reports it (`tally forecast --explain`). */
export interface BacktestReport {
  /** Origins the candidates were refitted at, and the steps forecast from each. */
  readonly origins: number;
  readonly horizon: number;
  readonly candidates: readonly CandidateScore[];
  readonly winner: ModelName;
  /** What the winner is made of: its members for `combination`, else the winner alone. */
  readonly members: readonly ModelName[];
  /** Each member's weight in the winner (summing to 1), in the order of `members`. */
  readonly weights: readonly number[];
}

/** A forecast of one series. */
export interface SeriesForecast {
  /**
   * The winning candidate, or the short-history forecaster (`profile` with a season, `naive` without) when the
   * backtest had fewer than MIN_ORIGINS origins.
   */
  readonly model: ModelName | 'naive' | 'profile';
  readonly seasons: readonly number[];
  readonly points: readonly { timestamp: number; p10: number; p50: number; p90: number }[];
  /** Quantiles of the sum of the horizon's values. */
  readonly total: { readonly p10: number; readonly p50: number; readonly p90: number };
  readonly backtest: BacktestReport | null;
  /**
   * Set when the history was short: the short-history forecaster's season (1: none) and smoothing weight, and the
   * weight of the backtest's choice blended into it (0 without a backtest, else BLEND_SHORT).
   */
  readonly shortHistory?: { readonly season: number; readonly alpha: number; readonly blend: number };
}

const DAY_MS = 86_400_000;
/** Default cap on history: enough for 8 weekly cycles of hourly data and 14 days of 5-minute data. */
const MAX_HISTORY = 4032;

/** Forecasts `horizon` steps after the last point with a backtest-selected model. */
export function forecastSeries(points: readonly SeriesPoint[], opts: SeriesForecastOptions): SeriesForecast {
  const H = Math.max(1, Math.floor(opts.horizon));
  const all = [...points].sort((a, b) => a.timestamp - b.timestamp);
  const gaps = all
    .slice(1)
    .map((p, i) => p.timestamp - all[i]!.timestamp)
    .sort((a, b) => a - b);
  const stepMs = opts.stepMs ?? (gaps.length ? gaps[gaps.length >> 1]! : DAY_MS);
  const kept = alignStart(regular(all, stepMs).slice(-(opts.maxHistory ?? MAX_HISTORY)), stepMs, opts.season);
  const y = kept.map((p) => p.value);
  const n = y.length;
  const last = kept[n - 1]?.timestamp ?? 0;
  const stamps = Array.from({ length: H }, (_, i) => stepAfter(last, stepMs, i + 1));
  const clamp = opts.nonNegative ?? y.every((v) => v >= 0);
  const seasons = seasonsFor(y, stepMs, opts.season);
  const phase0 = anchor(kept[0]?.timestamp ?? 0, stepMs);
  const holidays = holidayIndex(opts.holidays, kept[0]?.timestamp ?? 0, stepMs, n + H);
  const perDay = stepMs < DAY_MS && DAY_MS % stepMs === 0 ? DAY_MS / stepMs : 1;
  const week = weekOf(seasons);
  const weekMedian = perDay > 1 && week > 0 && n >= WEEK_MEDIAN_MIN_CYCLES * week;
  const input: ModelInput = {
    y,
    phase0,
    seasons,
    holidays,
    perDay,
    weekMedian,
    linear: opts.linear ?? false,
    yearly: stepMs === DAY_MS,
  };
  const run = n >= 7 ? runBacktest(input, H) : null;
  const from = Math.min(H - 1, Math.max(0, Math.floor(opts.totalFrom ?? 0)));
  const short = () =>
    shortForecast(y, (opts.season !== undefined ? seasons : shortSeasons(seasons, n, stepMs))[0] ?? 1, H);
  if (!run) return shortHistory(short(), null, stamps, clamp, from);
  const positive = y.every((v) => v > 0);
  const scores = scoreCandidates(run, positive);
  // Seasonal naive when nothing beats it clearly; else the three best candidates weighted by backtest error.
  const naive = keepNaive(scores);
  const holidayAhead = [...holidays].some((i) => i >= n);
  const combo = naive && !holidayAhead ? null : combineBest(run, scores, holidayAhead);
  if (combo)
    scores.push(
      ...scoreCandidates({ ...run, forecasts: new Map([['combination', combo.forecasts]]) }, positive),
    );
  const winner: ModelName = combo ? 'combination' : 'seasonal-naive';
  const members = combo?.members ?? [winner];
  const weights = combo?.weights ?? [1];
  const p50 = finalForecast(members, weights, input, H);
  const backtest = {
    origins: run.origins.length,
    horizon: run.horizon,
    candidates: scores,
    winner,
    members,
    weights,
  };
  // One or two origins are too few to choose a model or size its bands on: half the short-history forecast,
  // half the backtest's choice, with the short-history bands.
  if (run.origins.length < MIN_ORIGINS) return shortHistory(short(), { p50, backtest }, stamps, clamp, from);
  const fc = combo?.forecasts ?? run.forecasts.get(winner)!;
  const vol = relativeVolatility(y, run.origins, seasons, positive);
  const errors = run.actuals.map((a, j) =>
    a.map((v, h) => errorOf(v, fc[j]![h]!, positive) / vol.origins[j]!),
  );
  const bands = bandsFromErrors(errors, H, positive, calibratedWidens(errors), vol.end);
  const c = (v: number) => (clamp ? Math.max(0, v) : v);
  const out = p50.map((f, i) => {
    const b = bands[i]!.apply(clamp ? Math.max(0, f) : f);
    return { timestamp: stamps[i]!, p10: c(b.p10), p50: c(b.p50), p90: c(b.p90) };
  });
  return {
    model: winner,
    seasons,
    points: out,
    total: horizonTotal(out.slice(from), run.actuals, fc, H - from, c),
    backtest,
  };
}

/**
 * The points on a regular grid of `stepMs` from the first timestamp: missing steps are filled by linear
 * interpolation (phases count steps, so a gap must not shift every later point's weekday). Monthly data and
 * grids more than 4x the points (an irregular series) are left as they are.
 */
export function regular(pts: readonly SeriesPoint[], stepMs: number): SeriesPoint[] {
  if (pts.length < 2 || stepMs >= 27 * DAY_MS || !(stepMs > 0)) return [...pts];
  const t0 = pts[0]!.timestamp;
  const span = Math.round((pts[pts.length - 1]!.timestamp - t0) / stepMs) + 1;
  if (span === pts.length || span > 4 * pts.length) return [...pts];
  const grid = new Array<number | undefined>(span);
  for (const p of pts) {
    const k = Math.round((p.timestamp - t0) / stepMs);
    grid[k] = (grid[k] ?? 0) + p.value;
  }
  const out: SeriesPoint[] = [];
  let prev = 0;
  for (let k = 0; k < span; k++) {
    let v = grid[k];
    if (v === undefined) {
      let next = k + 1;
      while (grid[next] === undefined) next++;
      const a = grid[prev]!;
      v = a + ((grid[next]! - a) * (k - prev)) / (next - prev);
    } else prev = k;
    out.push({ timestamp: t0 + k * stepMs, value: v });
  }
  return out;
}

/** Margin a candidate needs over seasonal naive to be preferred to it (a few origins are a noisy judge). */
export const NAIVE_MARGIN = 0.05;

/** Whether seasonal naive is within NAIVE_MARGIN of the lowest backtest MASE (then the simpler model stays). */
function keepNaive(scores: readonly CandidateScore[]): boolean {
  const best = Math.min(...scores.map((c) => c.mase));
  const naive = scores.find((c) => c.model === 'seasonal-naive');
  return naive !== undefined && naive.mase <= best * (1 + NAIVE_MARGIN);
}

/** The weighted mean of the members' forecasts refitted on the whole history. */
function finalForecast(
  members: readonly ModelName[],
  weights: readonly number[],
  m: ModelInput,
  H: number,
): number[] {
  const fitted = forecastAll(m, H);
  // A member refitted on the whole history may diverge where its backtest fits did not (a near-singular fit):
  // one that leaves the history's range by more than ten ranges (a numeric divergence, not a trend) is replaced by
  // seasonal naive.
  const naive = fitted['seasonal-naive'];
  const all = Object.fromEntries(
    Object.entries(fitted).map(([k, f]) => [k, f && plausible(f, m.y) ? f : naive]),
  ) as typeof fitted;
  const of = (name: ModelName): number[] => {
    if (name === 'ensemble' || name === 'combination') {
      const fs = ENSEMBLE_OF.map((k) => all[k]);
      return Array.from({ length: H }, (_, h) => fs.reduce((a, f) => a + f[h]!, 0) / fs.length);
    }
    // A member was forecast at every backtest origin, so also from the whole (longer) history.
    return all[name]!;
  };
  const fs = members.map(of);
  return Array.from({ length: H }, (_, h) => fs.reduce((a, f, i) => a + weights[i]! * f[h]!, 0));
}

/** True when every value is finite and within ten history ranges of the history's own range. */
export function plausible(f: readonly number[], y: readonly number[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const r = Math.max(hi - lo, Math.abs(hi) * 1e-6, 1e-9);
  return f.every((v) => Number.isFinite(v) && v >= lo - 10 * r && v <= hi + 10 * r);
}

/**
 * Drops the oldest partial cycle so history starts at phase 0 of the longest calendar season it holds three
 * times (a Thursday 00:00 UTC for weeks, as the epoch was): every start within the same week then gives the same
 * input, and so the same forecast.
 */
function alignStart(pts: SeriesPoint[], stepMs: number, season?: number): SeriesPoint[] {
  if (pts.length === 0) return pts;
  const periods = season !== undefined ? [season] : naturalPeriods(stepMs);
  const phase0 = anchor(pts[0]!.timestamp, stepMs);
  for (const p of [...periods].sort((a, b) => b - a)) {
    const drop = ((-phase0 % p) + p) % p;
    if (p > 1 && pts.length - drop >= 3 * p) return pts.slice(drop);
  }
  return pts;
}

/** Calendar seasons (a day, a week) that fit in the history twice, else a detected one, else none. */
function seasonsFor(y: readonly number[], stepMs: number, season?: number): number[] {
  if (season !== undefined) return season > 1 ? [Math.floor(season)] : [];
  const calendar = naturalPeriods(stepMs).filter((p) => y.length >= 2 * p);
  if (calendar.length) return calendar;
  const s = detectSeason(y, stepMs);
  return s > 1 ? [s] : [];
}

/** Steps since the epoch of `t` (months for monthly data), the calendar anchor of seasonal phases. */
function anchor(t: number, stepMs: number): number {
  if (stepMs >= 27 * DAY_MS && stepMs <= 32 * DAY_MS) {
    const d = new Date(t);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
  return Math.round(t / stepMs);
}

function holidayIndex(
  days: readonly number[] | undefined,
  first: number,
  stepMs: number,
  len: number,
): Set<number> {
  const out = new Set<number>();
  if (!days?.length || stepMs > DAY_MS) return out;
  const dayset = new Set(days.map((d) => Math.floor(d / DAY_MS)));
  for (let i = 0; i < len; i++) if (dayset.has(Math.floor((first + i * stepMs) / DAY_MS))) out.add(i);
  return out;
}

function horizonTotal(
  pts: readonly { p10: number; p50: number; p90: number }[],
  actuals: readonly (readonly number[])[],
  fc: readonly (readonly number[])[],
  H: number,
  c: (v: number) => number,
): SeriesForecast['total'] {
  const sum = pts.reduce((a, p) => a + p.p50, 0);
  // Errors of a total are correlated across steps: with 5+ origins use their cumulative errors, scaled when the
  // horizon is longer than the backtest's; else add the step bands' half-widths (fully correlated, conservative).
  const Hb = actuals[0]?.length ?? 0;
  if (actuals.length >= 5 && Hb > 0) {
    const cum = actuals.map((a, j) => a.reduce((s, v, h) => s + v - fc[j]![h]!, 0) / Hb);
    cum.sort((a, b) => a - b);
    const lo = Math.min(0, cum[0]!) * H;
    const hi = Math.max(0, cum[cum.length - 1]!) * H;
    const spread = Math.sqrt(Math.max(1, H / Hb));
    return { p10: c(sum + lo * spread), p50: c(sum), p90: c(sum + hi * spread) };
  }
  return {
    p10: c(pts.reduce((a, p) => a + p.p10, 0)),
    p50: c(sum),
    p90: c(pts.reduce((a, p) => a + p.p90, 0)),
  };
}

/**
 * Fewest backtest origins whose errors may choose a model and set its bands alone. Below it the short-history
 * forecaster is blended in (tuning split of `bench/eval-forecast-short.ts`: daily page views from 21-42 days of
 * history, 0.930-0.935 -> 0.877-0.900 of seasonal naive's MASE, 80% coverage 0.62-0.71 -> 0.79-0.87).
 */
export const MIN_ORIGINS = 3;
/** Weight of the backtest's choice when it is blended with the short-history forecast (an equal combination). */
export const BLEND_SHORT = 0.5;

/**
 * Seasons for a short history: those found as usual, else the shortest calendar season the history holds once
 * (a week of daily points, a day of hourly ones), whose one cycle is the best guide to the next.
 */
function shortSeasons(seasons: readonly number[], n: number, stepMs: number): number[] {
  if (seasons.length) return [...seasons];
  const once = naturalPeriods(stepMs).filter((p) => n >= p);
  return once.length ? [Math.min(...once)] : [];
}

/** The short-history forecast as a SeriesForecast, blended with a backtest's choice when there was one. */
function shortHistory(
  f: ShortForecast,
  chosen: { readonly p50: readonly number[]; readonly backtest: BacktestReport } | null,
  stamps: readonly number[],
  clamp: boolean,
  from: number,
): SeriesForecast {
  const c = (v: number) => (clamp ? Math.max(0, v) : v);
  const w = chosen ? BLEND_SHORT : 0;
  const shift = f.points.map((p, i) => (chosen ? w * (chosen.p50[i]! - p.p50) : 0));
  const pts = f.points.map((p, i) => ({
    p10: p.p10 + shift[i]!,
    p50: p.p50 + shift[i]!,
    p90: p.p90 + shift[i]!,
  }));
  const moved = shift.reduce((a, d) => a + d, 0);
  // A window that starts later: the sum of its step bands (fully correlated, so on the wide side).
  const win = pts.slice(from);
  const sum = (k: 'p10' | 'p50' | 'p90') => c(win.reduce((a, p) => a + p[k], 0));
  return {
    model: f.season > 1 ? 'profile' : 'naive',
    seasons: f.season > 1 ? [f.season] : [],
    points: pts.map((p, i) => ({ timestamp: stamps[i]!, p10: c(p.p10), p50: c(p.p50), p90: c(p.p90) })),
    total:
      from === 0
        ? { p10: c(f.total.p10 + moved), p50: c(f.total.p50 + moved), p90: c(f.total.p90 + moved) }
        : { p10: sum('p10'), p50: sum('p50'), p90: sum('p90') },
    backtest: chosen?.backtest ?? null,
    shortHistory: { season: f.season, alpha: f.alpha, blend: w },
  };
}
