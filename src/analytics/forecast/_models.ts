/**
 * The candidate models. Each maps a history (with its calendar anchor) to point forecasts for steps 1..H and
 * refits from scratch, so a rolling-origin backtest of it sees no future data.
 * - seasonal-naive: the value one season back (the yardstick of MASE);
 * - ets: damped additive Holt-Winters on the first season (the previous engine, kept as a baseline);
 * - decomp-holt / decomp-theta: calendar-anchored multi-seasonal decomposition (log scale for positive series),
 *   the adjusted series forecast by damped Holt or by Theta from its last level shift on;
 * - cycle-profile: the mean shape of the last 3 cycles re-levelled at the last cycle's mean (additive; _profile.ts);
 * - harmonic: a Huber-robust regression on Fourier terms of the day and week together, with a local level and trend
 *   (recent points weigh more) and the last residuals carried forward by their autocorrelation (_harmonic.ts);
 * - seasonal-median: the median of the same phase over the last 5 cycles (seasonal naive without one cycle's
 *   noise, spikes and outages; _seasonal-median.ts);
 * - week-median: for sub-daily data with three weeks of history, the median of the same hour of the week over the
 *   last 5 weeks (a Monday morning from Monday mornings; _seasonal-median.ts);
 * - linear: a direct linear map from the last window to every step ahead, fitted by ridge least squares on the
 *   series' own windows with the window's last value subtracted (NLinear; _linear.ts); only when asked for
 *   (`linear`: off by default, ADR 0050) and with enough history;
 * - yearly: for daily data with two years of history, the same weekday 52 weeks back re-levelled to today's level,
 *   the median over up to three past years (a season, holidays, a summer that weekly models cannot see; _yearly.ts,
 *   ADR 0057);
 * - ensemble: the mean of seasonal-naive, decomp-holt and decomp-theta (combinations are robust where no single
 *   one is; with ets instead of seasonal naive it did worse on the tuning split);
 * - combination: the three candidates that backtested best, weighted by 1 / MASE^2 (see _combine.ts), named with
 *   its members.
 */
import { decompose, lastLevelShift } from './_decompose.js';
import { fitHoltWinters, hwForecastAt, runHoltWinters, type HwParams } from './_holt-winters.js';
import { holtForecast, thetaForecast } from './_smoothing.js';
import { profileForecast } from './_profile.js';
import { harmonicForecast } from './_harmonic.js';
import { seasonalMedianForecast, weekMedianForecast } from './_seasonal-median.js';
import { linearForecast } from './_linear.js';
import { yearlyForecast } from './_yearly.js';

/** A history to forecast from. */
export interface ModelInput {
  readonly y: readonly number[];
  /** Absolute step index of y[0] (steps since the epoch), which anchors seasonal phases to the calendar. */
  readonly phase0: number;
  /** Candidate periods in steps, shortest first (e.g. 24 and 168 for hourly data). */
  readonly seasons: readonly number[];
  /** Step indices (relative to y[0], may be in the future) that are holidays; empty when none. */
  readonly holidays: ReadonlySet<number>;
  /** Steps per day for sub-daily data (24 hourly, 288 five-minute), else 1: the decomposition's level is smoothed per day. */
  readonly perDay: number;
  /** Sub-daily data with WEEK_MEDIAN_MIN_CYCLES weeks of history: the `week-median` candidate joins the backtest. */
  readonly weekMedian?: boolean;
  /** The `linear` candidate joins the backtest (when the history is long enough for it); off by default. */
  readonly linear?: boolean;
  /** Daily data: the `yearly` candidate joins the backtest when the history holds two years (YEARLY_MIN_HISTORY). */
  readonly yearly?: boolean;
}

/** Names of the candidate models. */
export type ModelName =
  | 'seasonal-naive'
  | 'ets'
  | 'decomp-holt'
  | 'decomp-theta'
  | 'cycle-profile'
  | 'harmonic'
  | 'seasonal-median'
  | 'week-median'
  | 'linear'
  | 'yearly'
  | 'ensemble'
  | 'combination';

/** Base models in the order they are reported; `ensemble` is derived from their forecasts. */
export const BASE_MODELS = [
  'seasonal-naive',
  'ets',
  'decomp-holt',
  'decomp-theta',
  'cycle-profile',
  'harmonic',
  'seasonal-median',
  'week-median',
  'linear',
  'yearly',
] as const;
/** The members of the ensemble. */
export const ENSEMBLE_OF = ['seasonal-naive', 'decomp-holt', 'decomp-theta'] as const;

/** The primary (shortest) season that has two full cycles of history, or 1. */
export function primarySeason(n: number, seasons: readonly number[]): number {
  return seasons.find((p) => p > 1 && n >= 2 * p) ?? 1;
}

/** Point forecasts of every base model for steps 1..H (the decomposition is shared by its two smoothers). */
export function forecastAll(m: ModelInput, H: number, ets?: HwParams): Forecasts {
  const d = decomposed(m);
  const weekly = m.weekMedian ? weekMedianForecast(m.y, m.seasons, H) : null;
  const linear = m.linear ? linearForecast(m.y, m.seasons, m.perDay, H) : null;
  const yearly = m.yearly ? yearlyForecast(m.y, H) : null;
  return {
    ...(weekly ? { 'week-median': weekly } : {}),
    ...(linear ? { linear } : {}),
    ...(yearly ? { yearly } : {}),
    'seasonal-naive': seasonalNaive(m.y, m.seasons[0] ?? 1, H),
    ets: etsForecast(m, H, ets),
    'decomp-holt': d(H, holtForecast),
    'decomp-theta': d(H, thetaForecast),
    'cycle-profile': profileForecast(m.y, m.seasons, H),
    harmonic: harmonicForecast(m, H),
    'seasonal-median': seasonalMedianForecast(m.y, m.seasons, H),
  };
}

/** A base model's name. */
export type BaseModel = (typeof BASE_MODELS)[number];
/**
 * Every base model's forecast; `week-median` only for sub-daily data with three weeks of history, `linear` only
 * with history for its window, the horizon and its training windows.
 */
export type Forecasts = Record<Exclude<BaseModel, 'week-median' | 'linear' | 'yearly'>, number[]> & {
  'week-median'?: number[];
  linear?: number[];
  yearly?: number[];
};

/** The value one season back (the last value when the history is shorter than a season). */
export function seasonalNaive(y: readonly number[], s: number, H: number): number[] {
  const n = y.length;
  const p = n >= s ? s : 1;
  return Array.from({ length: H }, (_, i) => y[n - p + (i % p)]!);
}

/** The Holt-Winters parameters fitted on a history (reused at later backtest origins to save the grid). */
export function fitEts(m: ModelInput): HwParams {
  return fitHoltWinters(m.y, primarySeason(m.y.length, m.seasons), true).params;
}

function etsForecast(m: ModelInput, H: number, params?: HwParams): number[] {
  const n = m.y.length;
  const s = primarySeason(n, m.seasons);
  const st = params ? runHoltWinters(m.y, s, params) : fitHoltWinters(m.y, s, true);
  return Array.from({ length: H }, (_, i) => hwForecastAt(st, n - 1, i + 1));
}

type Smoother = (a: readonly number[], H: number) => number[];

function decomposed(m: ModelInput): (H: number, smooth: Smoother) => number[] {
  const n = m.y.length;
  // Spend is multiplicative (a weekend is a fraction of a weekday): work on logs when every value is positive.
  const log = m.y.every((v) => v > 0);
  const z = log ? m.y.map(Math.log) : [...m.y];
  const exclude = m.holidays.size ? m.y.map((_, i) => m.holidays.has(i)) : undefined;
  const d = decompose(z, m.seasons, m.phase0, exclude, m.perDay > 1);
  const p = primarySeason(n, m.seasons);
  const from = lastLevelShift(d.adjusted, Math.max(3, Math.ceil(p / 2)));
  const a = d.adjusted.slice(from);
  const holidayEffect = exclude ? meanHolidayEffect(d.adjusted, exclude) : 0;
  // Sub-daily data: smooth the level of whole days, not of steps. Parameters fitted on
  // one-step errors of smooth 5-minute data chase the last few minutes and extrapolate their slope for a day
  // (MASE 1.6-3.6x seasonal naive on Yosemite); daily means give the smoother a day's worth of signal per point.
  const k = m.perDay > 1 && a.length >= 2 * m.perDay ? m.perDay : 1;
  const levels = (H: number, smooth: Smoother) => (k === 1 ? smooth(a, H) : blockLevels(a, k, H, smooth));
  return (H, smooth) =>
    levels(H, smooth).map((v, i) => {
      const zh = v + d.seasonalAt(n + i) + (m.holidays.has(n + i) ? holidayEffect : 0);
      return log ? Math.exp(zh) : zh;
    });
}

/** Level forecasts per step from block means of `k` steps (blocks end at the last point). */
function blockLevels(a: readonly number[], k: number, H: number, smooth: Smoother): number[] {
  const blocks: number[] = [];
  for (let end = a.length; end - k >= 0; end -= k) {
    let sum = 0;
    for (let i = end - k; i < end; i++) sum += a[i]!;
    blocks.push(sum / k);
  }
  blocks.reverse();
  const ahead = smooth(blocks, Math.ceil(H / k));
  return Array.from({ length: H }, (_, i) => ahead[Math.floor(i / k)]!);
}

/** Mean deviation of past holidays from the adjusted level around them (0 without any). */
function meanHolidayEffect(a: readonly number[], hol: readonly boolean[]): number {
  let sum = 0;
  let count = 0;
  for (let i = 7; i < a.length; i++) {
    if (!hol[i]) continue;
    let ref = 0;
    let k = 0;
    for (let j = Math.max(0, i - 7); j < Math.min(a.length, i + 8); j++)
      if (!hol[j]) {
        ref += a[j]!;
        k++;
      }
    if (k) {
      sum += a[i]! - ref / k;
      count++;
    }
  }
  return count ? sum / count : 0;
}
