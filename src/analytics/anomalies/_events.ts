/**
 * Event detection on one public-style series (`tally anomalies --series`): online, one alarm per event (ADR 0028).
 * Per point, using only the points before it:
 * - expected = level + seasonal profile. The level is the median of the last few deseasonalised values (raw, so
 *   a persistent change re-baselines itself within half that window, while a short spike never moves it); the
 *   profile is the per-phase median over an odd number of recent cycles of departures from each cycle's median.
 * - the residual is scored against a robust scale of past residuals, and of the same phases' residuals in past
 *   cycles (a busy phase, or a daily edge that jitters, is noisier than the night).
 * - an adaptive threshold: the score must reach the threshold and also clear the series' own tail (a multiple
 *   of a high quantile of past normal scores and of one score per past event), so a heavy-tailed or bursty
 *   series, or one whose spikes recur, is judged against its own distribution, not a Gaussian one.
 * - isolated excursions (ADR 0044): a point scoring 6 or more whose next point is back to normal is one of the
 *   series' isolated spikes (or dips); once it has had two of a sign, a new point of that sign no larger than
 *   their upper quartile is held, and reported one step later only if the next point goes on the same way (a
 *   sustained event); otherwise it was one more of the series' usual spikes.
 * - a rate check: more onsets of exceedance in a short window than the long-run rate makes plausible (Poisson
 *   tail) is an event too (more spikes than usual where single spikes are normal).
 * - resolution (ADR 0046): on discrete data (few distinct values) the noise scale is at least half the typical move
 *   within the bulk of the values, so a one-step change on a quantised metric is not a huge outlier.
 * - routine (ADR 0046): a point that would alarm but repeats what the same time of day did on recent days (a nightly
 *   job, give or take half an hour) is not an event, and stays out of the tail and the spike history.
 * - warm-up: no alarm before two days of sub-daily data (two days of time when timestamps are given, at most 576
 *   points; 14 points of daily data): no season can be known yet. No score at all before the noise scale rests on a level window.
 * - refractory: after an alarm, the same event's later points add nothing (a third of the warm-up, ADR 0046).
 */
import { detectSeason, typedSortedAt } from '../_series/index.js';
import { typicalMove } from './_resolution.js';
import { recursDaily } from './_recurring.js';

/** The noise scale never goes below this share of a discrete series' typical move (ADR 0046). */
const MOVE_FLOOR = 0.5;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Settings of the event detector (defaults are what bench/eval-anomalies.ts tuned). */
export interface EventOptions {
  /** Sampling step in ms. */
  readonly stepMs: number;
  /** Timestamps (epoch ms) of the points: seasonal phases follow the calendar, across gaps. */
  readonly timestamps?: readonly number[];
  /** Season in steps (1 = none), or 'auto' (default): detected online from the data seen so far. */
  readonly season?: number | 'auto';
  /** Minimum robust score of an alarm. */
  readonly threshold?: number;
}

/** Defaults of the event detector. */
export const EVENT_DEFAULTS = {
  threshold: 8,
  /** An alarm's score must also exceed this multiple of the past scores' tail quantile. */
  tailFactor: 1.5,
  /** The tail quantile (of past scores of points that were not anomalous). */
  tailQuantile: 0.995,
  /** Score counted as an exceedance by the rate check. */
  rateThreshold: 3,
  /** Poisson tail probability below which a cluster of exceedances is an event. */
  rateAlpha: 1e-6,
  /** An isolated excursion: one point at this score or more (at most the threshold), the next back under
   *  `rateThreshold` (or on the other side). Their sizes, by sign, are the series' spike history (ADR 0044). */
  isolatedLevel: 6,
  /** Past isolated excursions of one sign needed before a new point of that sign must clear their size. */
  isolatedMin: 2,
  /** The quantile of past isolated excursions' sizes that a new single point must reach to alarm at once. */
  isolatedQuantile: 0.75,
  /** Score (same sign) of the next point that confirms a held alarm as a sustained event. */
  confirm: 3,
} as const;

/** What kind of event an alarm starts. */
export type EventKind = 'spike' | 'drop' | 'burst';

/** One scored point. */
export interface EventPoint {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** Signed robust score (0 during warm-up). */
  readonly score: number;
  /** True on the first detected point of an event. */
  readonly alarm: boolean;
  readonly kind: EventKind | null;
}

/**
 * Most points of warm-up: two days of 5-minute data. Finer data (1-minute metrics) would otherwise stay silent for
 * 2,880 points and more, and the refractory period and history derived from the warm-up would grow with it (a day
 * of silence after every alarm at 1-minute steps); a level and a noise scale need far fewer points, and the daily
 * season is still found online once two days are in.
 */
export const MAX_WARM_UP_POINTS = 576;

/** Two days of sub-daily data in points (at least 14), two weeks of daily data. */
function twoDaysOfPoints(stepMs: number): number {
  return stepMs < DAY_MS ? Math.max(14, Math.ceil((2 * DAY_MS) / stepMs)) : 14;
}

/** Points of history before the first alarm: two days of sub-daily data (at most 576 points), two weeks of daily data. */
export function warmUpPoints(stepMs: number): number {
  return Math.min(MAX_WARM_UP_POINTS, twoDaysOfPoints(stepMs));
}

/**
 * Index of the first point that may alarm. With timestamps, the warm-up is two days of *time* (at least 14
 * points), so an irregular or gappy series, whose median step overstates its density, is not kept silent for
 * many days; it is never longer than the points-based warm-up. Depends on the first timestamps only.
 */
export function warmUpEnd(stepMs: number, timestamps?: readonly number[]): number {
  const points = warmUpPoints(stepMs);
  if (!timestamps || stepMs >= DAY_MS || timestamps.length === 0) return points;
  const until = timestamps[0]! + 2 * DAY_MS;
  let i = 0;
  while (i < points && i < timestamps.length && timestamps[i]! < until) i++;
  return Math.max(14, i);
}

/** Points in the level window: about two hours of sub-daily data (5 to 24 points), a week of daily data. */
function levelPoints(stepMs: number): number {
  return stepMs < DAY_MS ? Math.min(24, Math.max(5, Math.round((2 * HOUR_MS) / stepMs))) : 7;
}

/** Quantile (linear interpolation) of numbers; typed-array sort keeps the detector at a few µs a point. */
function q(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  // The two order statistics by selection: what a typed-array sort would put there, without sorting.
  const pos = (values.length - 1) * p;
  const lo = Math.floor(pos);
  const a = typedSortedAt(values, lo)!;
  const hi = Math.ceil(pos);
  return a + ((hi === lo ? a : typedSortedAt(values, hi)!) - a) * (pos - lo);
}

const median = (values: ArrayLike<number>) => q(values, 0.5);

/** Poisson upper tail P(X >= k) for mean mu. */
function poissonTail(k: number, mu: number): number {
  if (k <= 0) return 1;
  let term = Math.exp(-mu);
  let cdf = term;
  for (let i = 1; i < k; i++) {
    term *= mu / i;
    cdf += term;
  }
  return Math.max(0, 1 - cdf);
}

/** Scores every point of `y` with data before it only, and marks the first point of each event. */
export function detectEvents(y: readonly number[], opts: EventOptions): EventPoint[] {
  const n = y.length;
  const stepMs = opts.stepMs > 0 ? opts.stepMs : DAY_MS;
  const T = opts.threshold ?? EVENT_DEFAULTS.threshold;
  const W = warmUpPoints(stepMs);
  const start = warmUpEnd(stepMs, opts.timestamps);
  const L = levelPoints(stepMs);
  // After an alarm, a third of the warm-up before another (16 hours of 5-minute to hourly data): half of it, a day,
  // kept a second event on the next afternoon silent (ADR 0046). The quiet spell an event must end with stays an eighth of the warm-up.
  const refractory = Math.max(L, Math.floor(W / 3));
  const quietSpell = Math.max(Math.floor(L / 4), Math.floor(W / 8));
  // The tail and scale look back eight days (at most 5,000 points), however short the warm-up was capped.
  const history = Math.min(5000, 4 * twoDaysOfPoints(stepMs));
  const rateWindow = Math.max(L, Math.floor(W / 4));
  const slot = (i: number) => (opts.timestamps ? Math.round((opts.timestamps[i] ?? 0) / stepMs) : i);
  let s = typeof opts.season === 'number' ? Math.max(1, Math.floor(opts.season)) : 1;
  let nextDetect = opts.season === 'auto' || opts.season === undefined ? start : Infinity;
  let profile: number[] = [];
  let nextProfile = 0;
  const phaseOf = (i: number) => ((slot(i) % s) + s) % s;
  const seasonalAt = (i: number) => (s > 1 ? (profile[phaseOf(i)] ?? 0) : 0);

  const resid: number[] = [];
  const normalScores: number[] = [];
  const exceed: number[] = [0]; // prefix sums of exceedances
  let scale = 0;
  // Whether the scale rests on enough residuals (a level window's worth): before that a score means nothing.
  let ready = false;
  let tail = 0;
  let floor = 1e-9;
  let nextStats = 0;
  // Where the current season took over: residuals from before describe another model.
  let regime = 0;
  let wasOver = false;
  let lastAlarm = -Infinity;
  let lastAnomalous = -Infinity;
  // Sizes of past isolated excursions, by sign (ADR 0044); the last point over the threshold, judged isolated or
  // not at the next point; an alarm held back because its point did not clear the isolated bar.
  const isolated: Record<'up' | 'down', number[]> = { up: [], down: [] };
  let candidate: { t: number; score: number } | null = null;
  let held: { t: number; score: number; kind: EventKind } | null = null;
  const out: EventPoint[] = [];
  // The first points have no level yet; residuals (indexed from `warm`) start after them.
  const warm = 3;

  const fitProfile = (t: number) => {
    // An odd number of cycles (up to five): the median is then one real cycle's value (a sharp edge stays sharp).
    const all = Math.min(5, Math.floor(t / s));
    const cycles = all > 2 && all % 2 === 0 ? all - 1 : all;
    if (s <= 1 || cycles < 1) {
      profile = [];
      return;
    }
    const byPhase: number[][] = Array.from({ length: s }, () => []);
    for (let c = 0; c < cycles; c++) {
      const from = t - (c + 1) * s;
      const chunk = y.slice(from, from + s);
      const m = median(chunk);
      chunk.forEach((v, k) => byPhase[phaseOf(from + k)]!.push(v - m));
    }
    // The per-phase median over up to five cycles outvotes one odd cycle (raw values: replacing flagged
    // points by their expectation would let one wrong expectation teach itself). Two cycles cannot outvote
    // anything, so then the neighbouring phases vote too.
    const pool = cycles < 3 && s >= 24 ? 1 : 0;
    const raw = byPhase.map((_, ph) => {
      const xs: number[] = [];
      for (let d = -pool; d <= pool; d++) xs.push(...byPhase[(((ph + d) % s) + s) % s]!);
      return xs.length ? median(xs) : 0;
    });
    const centre = median(raw);
    profile = raw.map((v) => v - centre);
  };

  for (let t = 0; t < n; t++) {
    const x = y[t]!;
    if (t >= nextDetect) {
      nextDetect *= 2;
      const found = detectSeason(y.slice(0, t), stepMs);
      if (found !== s) {
        s = found;
        nextProfile = t;
        // Scores from before the season was known say nothing about the tail now.
        normalScores.length = 0;
        regime = t;
        nextStats = t;
      }
    }
    if (s > 1 && t >= nextProfile) {
      fitProfile(t);
      nextProfile = t + s;
    }
    if (t < warm) {
      out.push({ index: t, actual: x, expected: x, score: 0, alarm: false, kind: null });
      exceed.push(exceed[t]!);
      continue;
    }
    const recent: number[] = [];
    for (let i = Math.max(0, t - L); i < t; i++) recent.push(y[i]! - seasonalAt(i));
    const level = median(recent);
    const expected = level + seasonalAt(t);
    const diff = x - expected;
    if (t >= nextStats) {
      // Residuals since the season changed, once a cycle of them is in (before that they mix models).
      const settled = t - regime >= Math.max(2 * L, s);
      const since = settled ? Math.max(regime, t - history) : t - history;
      const past = resid.slice(Math.max(0, since - warm));
      const m = median(past);
      ready = past.length >= L;
      scale = 1.4826 * median(past.map((r) => Math.abs(r - m)));
      // Mostly-equal residuals (a sparse series): the mean absolute deviation stands in for MAD.
      if (!(scale > 0)) scale = (1.2533 * past.reduce((a, r) => a + Math.abs(r - m), 0)) / past.length;
      if (!(scale > 0)) scale = 0;
      const vals = y.slice(Math.max(0, t - history), t);
      const spread =
        typedSortedAt(vals, Math.floor(0.99 * (vals.length - 1)))! -
        typedSortedAt(vals, Math.ceil(0.01 * (vals.length - 1)))!;
      floor = Math.max(1e-9, 0.01 * spread, 1e-6 * Math.abs(level), MOVE_FLOOR * typicalMove(vals));
      const ns = normalScores.slice(-history);
      tail = ns.length ? q(ns, EVENT_DEFAULTS.tailQuantile) : 0;
      nextStats = t + Math.max(1, Math.floor(L / 2));
    }
    // Noise can differ by phase (a busy day is noisier than the night): the same phases' past residuals
    // (since the season took over, up to five cycles) give a local scale. Under three cycles it may only
    // raise the overall scale; from three on it may lower it to half (a quiet night's small noise).
    let local = 0;
    let cycles = 0;
    if (s > 1) {
      const near: number[] = [];
      const h = Math.floor(s / 48);
      for (; cycles < 5 && t - (cycles + 1) * s - h >= regime; cycles++)
        for (let d = -h; d <= h; d++) near.push(Math.abs(resid[t - (cycles + 1) * s + d - warm] ?? 0));
      if (near.length) local = 1.4826 * median(near);
    }
    const noise = cycles >= 3 ? Math.max(local, 0.5 * scale) : Math.max(local, scale);
    // Until the scale rests on a level window of residuals, every score would be the floor's (huge) and would
    // poison the tail quantile for thousands of points: score 0 instead.
    const score = ready ? diff / Math.max(noise, floor) : 0;
    const a = Math.abs(score);
    const bar = Math.max(T, EVENT_DEFAULTS.tailFactor * tail);
    // Onsets of exceedance (a point at >= 3 after one below): a level change that takes a few points to
    // re-baseline is one onset, not a cluster that would fake a burst.
    const over = a >= EVENT_DEFAULTS.rateThreshold;
    const e = over && !wasOver ? 1 : 0;
    wasOver = over;
    let kind: EventKind | null = null;
    // A point that would alarm but is like the same time of day on recent days (a nightly job) is the series'
    // routine (ADR 0046): not an event, and kept out of the tail and the spike history.
    let routine = false;
    if (t >= start) {
      if (a >= bar) {
        routine = recursDaily(y, t, diff, stepMs, L, (i) => out[i]!.expected, opts.timestamps);
        if (!routine) kind = score > 0 ? 'spike' : 'drop';
      } else if (e) {
        // Onsets in the short window (since the last event ended) against the long-run rate.
        const from = Math.max(0, t - history);
        const rate = (exceed[t]! - exceed[from]! + 1) / (t - from + 2);
        const since = Math.max(0, t + 1 - rateWindow, lastAnomalous + 1);
        const k = exceed[t]! - exceed[since]! + 1;
        if (k >= 3 && poissonTail(k, rate * (t + 1 - since)) < EVENT_DEFAULTS.rateAlpha) kind = 'burst';
      }
    }
    // exceed[i]: onsets before point i, anomalous points left out (they are the event, not the rate).
    exceed.push(exceed[t]! + (kind === null ? e : 0));
    resid.push(diff);
    // The point before, if it scored the isolated level or more: isolated when this one is back under the rate threshold
    // (or on the other side). Its size joins that sign's history; a held alarm dies with it.
    const sameWay = (prev: number) => Math.sign(prev) === Math.sign(score) && a >= EVENT_DEFAULTS.confirm;
    if (candidate && candidate.t === t - 1 && !sameWay(candidate.score)) {
      isolated[candidate.score > 0 ? 'up' : 'down'].push(Math.abs(candidate.score));
      if (held && held.t === t - 1 && ready) normalScores.push(Math.abs(held.score));
    }
    candidate =
      a >= Math.min(EVENT_DEFAULTS.isolatedLevel, T) && t >= start && !routine ? { t, score } : null;
    // A held alarm whose next point goes on the same way is a sustained event: reported now, one step late.
    const confirmed = held !== null && held.t === t - 1 && sameWay(held.score) && t - lastAlarm >= refractory;
    const confirmedKind = confirmed ? held!.kind : null;
    if (held && held.t < t) held = null;
    // One event, one alarm: an event goes on while its anomalous points come within a quiet spell of each other;
    // a new alarm needs both the refractory period and a quiet spell since the last.
    let alarm = kind !== null && t - lastAlarm >= refractory && t - lastAnomalous > quietSpell;
    // A single point no larger than this series' typical isolated excursion of the same sign is not news on its
    // own: held until the next point shows whether it goes on (ADR 0044).
    if (alarm && kind !== 'burst') {
      const past = isolated[score > 0 ? 'up' : 'down'];
      const isoBar = past.length >= EVENT_DEFAULTS.isolatedMin ? q(past, EVENT_DEFAULTS.isolatedQuantile) : 0;
      if (a < isoBar) {
        alarm = false;
        held = { t, score, kind: kind! };
      }
    }
    if (confirmed) {
      alarm = true;
      kind = confirmedKind;
    }
    // The tail is what the series itself does: its normal points and, one score per event, its past events, so
    // spikes that recur stop being news (ADR 0039). The other anomalous points of an event stay out (a level
    // shift's first points would lift the tail for days). During warm-up nothing is anomalous, so a bursty
    // series' own spikes set its tail.
    if (ready && !routine && (kind === null || alarm)) normalScores.push(a);
    if (alarm) lastAlarm = t;
    if (kind !== null) lastAnomalous = t;
    out.push({ index: t, actual: x, expected, score, alarm, kind: alarm ? kind : null });
  }
  return out;
}
