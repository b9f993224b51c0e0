/**
 * Online anomaly detection on one regularly sampled series, using only data up to each point (no look-ahead).
 * Expected value = robust level (median of the last block) + Theil-Sen trend across up to 4 blocks + median
 * seasonal profile; score = residual / robust scale (1.4826 x MAD of past residuals). A second check catches
 * slow drifts: the recent deseasonalised level against the oldest baseline block. Flagged points are
 * replaced by their expectation in the history (so a spike does not become "normal") until a run lasts
 * `adaptAfter` points, when the new level is accepted. Cold start: under one block, the running median only.
 */
import { detectSeason, median, naturalPeriods } from '../_series/index.js';
import { expectedAt, fit, type Model } from './_model.js';

/** Detector settings (defaults are what the evaluation suite measured). */
export interface DetectOptions {
  /**
   * Season in steps (1 = none), or 'auto': detected from the data seen so far (at 14, 28, 56, ... points),
   * so the season used for a point never depends on later data. 'auto' needs `stepMs`.
   */
  readonly season: number | 'auto';
  /** Sampling step in ms, for season detection. */
  readonly stepMs?: number;
  /** Robust score a point must reach (absolute value). */
  readonly threshold?: number;
  /** Minimum |actual - expected| in series units (e.g. USD). */
  readonly minImpactAbs?: number;
  /** Minimum |actual - expected| / |expected|. */
  readonly minImpactPct?: number;
  /** Recent level above the baseline by this fraction counts as a drift. */
  readonly driftPct?: number;
  /** Which direction counts: spend up only, or both (drops = lost traffic). */
  readonly direction?: 'up' | 'both';
  /** Consecutive flagged points after which the new level is accepted. Default: one block. */
  readonly adaptAfter?: number;
  /**
   * Calendar position of the first point (e.g. epoch day for daily data): seasonal phases are
   * (index + phase0) mod season, so a profile learned from a series does not depend on where it starts.
   */
  readonly phase0?: number;
}

/** Defaults used by the CLI and the evaluation harness. */
export const DETECT_DEFAULTS = {
  threshold: 4,
  minImpactPct: 0.1,
  driftPct: 0.3,
} as const;

/** What kind of departure a flagged point is. */
export type AnomalyKind = 'spike' | 'drop' | 'drift';

/** Score of one point. */
export interface PointScore {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** Signed robust score (residual / scale); 0 before enough history. */
  readonly score: number;
  readonly anomaly: boolean;
  readonly kind: AnomalyKind | null;
}

/** Scores every point of `y` using only the points before it. */
export function detectAnomalies(y: readonly number[], opts: DetectOptions): PointScore[] {
  const auto = opts.season === 'auto';
  let s = auto ? 1 : Math.max(1, Math.floor(opts.season as number));
  // With 'auto', the first detection waits for two of the shortest calendar periods (14 days, 48 hours);
  // until then the block is that long, which keeps scoring in the rules-only cold tier.
  const firstDetect = auto ? 2 * Math.min(...naturalPeriods(opts.stepMs ?? 86_400_000), 7) : Infinity;
  let B = auto ? firstDetect : s > 1 ? s : 7;
  let nextDetect = firstDetect;
  const threshold = opts.threshold ?? DETECT_DEFAULTS.threshold;
  const minAbs = opts.minImpactAbs ?? 0;
  const minPct = opts.minImpactPct ?? DETECT_DEFAULTS.minImpactPct;
  const driftPct = opts.driftPct ?? DETECT_DEFAULTS.driftPct;
  const both = (opts.direction ?? 'both') === 'both';
  let adaptAfter = opts.adaptAfter ?? B;
  const phase0 = Math.max(0, Math.floor(opts.phase0 ?? 0));
  const clean: number[] = [];
  const resid: number[] = [];
  const absResid: number[] = [];
  const out: PointScore[] = [];
  const flagged: boolean[] = [];
  // Per point: +1 / -1 when it was a spike / drop (flagged, or accepted as recurring), else 0.
  const recurring: number[] = [];
  const calendar = auto ? naturalPeriods(opts.stepMs ?? 86_400_000) : [];
  let model: Model | null = null;
  let nextFit = 0;
  let runStart = -1;
  // After a run is accepted as the new level, the old baseline would keep reporting it as a drift: mute
  // drift checks until the 4-block baseline has moved past it.
  let driftMutedUntil = -1;
  // First index of the current level regime: the model is fitted on data since then only.
  let regimeStart = 0;
  // The model from before the last accepted level change: a return to it (the incident ended) is a recovery,
  // not a new anomaly. Forgotten after 8 blocks.
  let prior: { model: Model; regimeStart: number; since: number; up: boolean } | null = null;
  // Spend and token series cannot go below zero: neither may their expectation (a falling trend would).
  let nonNegative = true;
  const clampAt = (v: number) => (nonNegative && v < 0 ? 0 : v);
  for (let t = 0; t < y.length; t++) {
    const x = y[t]!;
    if (t > 0 && y[t - 1]! < 0) nonNegative = false;
    if (t >= nextDetect) {
      nextDetect *= 2;
      const found = detectSeason(clean, opts.stepMs ?? 86_400_000);
      // No season found yet in under 4 calendar periods: stay in the rules-only tier rather than fit a
      // season-less model to what may be a week not yet recognised.
      const wait = found === 1 && t < 2 * firstDetect;
      const nextB = wait ? 2 * firstDetect : found > 1 ? found : 7;
      if (found !== s || nextB !== B) {
        s = found;
        B = nextB;
        adaptAfter = opts.adaptAfter ?? B;
        nextFit = t;
      }
    }
    if (t >= 3 && (t >= nextFit || !model)) {
      model = fit(clean, regimeStart, s, B, resid, absResid, phase0);
      nextFit = t + B;
    }
    if (!model) {
      clean.push(x);
      flagged.push(false);
      recurring.push(0);
      out.push({ index: t, actual: x, expected: x, score: 0, anomaly: false, kind: null });
      continue;
    }
    if (prior && t - prior.since > 8 * B) prior = null;
    let expected = clampAt(expectedAt(model, t));
    if (prior && Math.sign(x - expected) === (prior.up ? -1 : 1)) {
      const back = x - expectedAt(prior.model, t, false);
      if (
        Math.abs(back) < threshold * prior.model.scale &&
        Math.abs((x - expected) / model.scale) >= threshold
      ) {
        // Recovery: the values since the change were the incident; replace them by the old expectation and
        // return to the old regime.
        for (let i = prior.since; i < t; i++) clean[i] = expectedAt(prior.model, i, false);
        regimeStart = prior.regimeStart;
        prior = null;
        model = fit(clean, regimeStart, s, B, resid, absResid, phase0);
        nextFit = t + B;
        expected = clampAt(expectedAt(model, t));
      }
    }
    const diff = x - expected;
    // A profile from one or two blocks is itself uncertain: half its departure from the level (per block) is
    // added to the scale for that phase, so one odd day in week one does not make the next weeks look odd.
    const phase = model.seasonal[(t + phase0) % model.season] ?? 0;
    // Multiplicative noise: a quiet phase (weekend, night) has proportionally smaller errors than the level,
    // so the scale follows the expectation (floored at half the level's).
    const base =
      model.relScale !== null
        ? Math.max(model.relScale * Math.max(Math.abs(expected), 0.5 * Math.abs(model.level)), 1e-9)
        : model.scale;
    const scale =
      model.cold || model.blocks >= 3 ? base : Math.max(base, (0.5 * Math.abs(phase)) / model.blocks);
    const score = diff / scale;
    const gate = (d: number, base: number) => Math.abs(d) >= minAbs && Math.abs(d) >= minPct * Math.abs(base);
    let kind: AnomalyKind | null = null;
    if (model.cold) {
      // Rules only before a season is seen: more than twice anything seen so far, or under a quarter of it.
      let hi = -Infinity;
      let lo = Infinity;
      for (const v of clean) {
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      if (x > 2 * hi && hi > 0 && gate(diff, expected)) kind = 'spike';
      else if (both && lo > 0 && x < 0.25 * lo && gate(diff, expected)) kind = 'drop';
      // Spend appearing after a week of nothing.
      else if (hi === 0 && lo === 0 && x > 0 && clean.length >= 7 && gate(diff, expected)) kind = 'spike';
    } else if (score >= threshold && gate(diff, expected)) kind = 'spike';
    else if (both && score <= -threshold && gate(diff, expected)) kind = 'drop';
    else if (
      model.baseline !== null &&
      t >= B &&
      t >= driftMutedUntil &&
      diff > 0 &&
      // Cheap pre-check before the block median: this point itself must be risen by the drift fraction.
      x - phase - model.baseline >= driftPct * Math.abs(model.baseline)
    ) {
      // Drift: the last block's deseasonalised median (this point included) against the oldest baseline block.
      const recent: number[] = [];
      for (let i = t - B + 1; i <= t; i++)
        recent.push((i === t ? x : y[i]!) - (model.seasonal[(i + phase0) % s] ?? 0));
      const lvl = median(recent);
      const rise = lvl - model.baseline;
      if (
        rise >= driftPct * Math.abs(model.baseline) &&
        rise >= threshold * model.scale &&
        diff > 0 &&
        gate(rise, model.baseline)
      )
        kind = 'drift';
    }
    // A departure that repeats one season later at the same phase (a weekly batch job) is the season itself:
    // it is accepted, and the earlier occurrence goes back into the history so the profile learns it.
    const sign = kind === 'spike' ? 1 : kind === 'drop' ? -1 : 0;
    let accepted = false;
    // Before a season is known, the calendar's own periods (a day, a week) are the candidates.
    for (const p of sign !== 0 ? (s > 1 ? [s] : calendar) : []) {
      if (accepted || t < p) continue;
      for (const j of [t - p, t - p - 1, t - p + 1]) {
        if (j < 0 || j >= t || recurring[j] !== sign) continue;
        clean[j] = y[j]!;
        accepted = true;
        nextFit = t + 1;
        kind = null;
        break;
      }
    }
    const anomaly = kind !== null;
    out.push({ index: t, actual: x, expected, score, anomaly, kind });
    flagged.push(anomaly);
    recurring.push(anomaly || accepted ? sign : 0);
    if (anomaly) {
      if (runStart < 0) runStart = t;
      // Flagged points never enter the history the model learns from (cold ones included: a 4x day in the
      // first week would otherwise become that weekday's seasonal norm).
      // Early on (under 3 blocks) the profile itself may be what is wrong: a drop is kept as seen.
      clean.push(kind === 'drop' && model.blocks < 3 ? x : expected);
      // A run with short gaps still counts: 70% of the last `adaptAfter` points flagged, from the run start.
      let recentFlags = 0;
      for (let i = Math.max(runStart, t - adaptAfter + 1); i <= t; i++) if (flagged[i]) recentFlags++;
      if (t - runStart + 1 >= adaptAfter && recentFlags >= Math.ceil(0.7 * adaptAfter)) {
        // A run this long is the new normal: put the real values back and refit from them.
        for (let i = runStart; i <= t; i++) clean[i] = y[i]!;
        prior = { model, regimeStart, since: runStart, up: (out[runStart]?.score ?? 0) > 0 };
        regimeStart = runStart;
        runStart = -1;
        nextFit = t + 1;
        driftMutedUntil = t + 4 * B;
      }
    } else {
      // Two quiet points in a row end a run.
      if (runStart >= 0 && t >= 1 && !flagged[t - 1]) runStart = -1;
      clean.push(x);
      // Residuals are kept relative to the expectation for non-negative series (spend noise is
      // multiplicative: it scales with the level, so a level shift must not shrink the score scale).
    }
    // Flagged points' residuals count too: MAD ignores a few spikes anyway, and leaving them out would let a
    // volatile stretch (weather-like series) shrink the scale and flag ever more points.
    if (!anomaly || !model.cold) {
      resid.push(expected > 0 && x >= 0 ? diff / expected : Number.NaN);
      absResid.push(diff);
    }
  }
  return out;
}
