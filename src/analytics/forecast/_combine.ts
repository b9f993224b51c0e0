/**
 * What the backtest's winner becomes: the three candidates with the lowest backtest MASE, weighted by 1 / MASE^2 (a
 * single pick from 8 noisy origins loses to a combination: M4's lesson; ADR 0029 took the plain mean of two, ADR
 * 0038 three weighted by backtest error, which on the tuning split gained most on M4 and NAB), and the band
 * multiplier that makes the winner's leave-one-origin-out bands cover 80% (split conformal on the backtest itself).
 */
import type { BacktestRun, CandidateScore } from './_backtest.js';
import { bandsFromErrors } from './_intervals.js';
import type { ModelName } from './_models.js';

/** The combined candidate: its members and its forecasts at every backtest origin. */
export interface Combination {
  readonly members: readonly ModelName[];
  /** Each member's weight (summing to 1), in the order of `members`. */
  readonly weights: readonly number[];
  readonly forecasts: readonly (readonly number[])[];
}

/** How many of the best candidates are averaged. */
export const COMBINE_TOP = 3;

/** Members weigh 1 / (backtest MASE)^WEIGHT_POWER: a clearly better member counts more, a near tie about evenly. */
export const WEIGHT_POWER = 2;

/** Candidates that model holidays (the others would dilute a holiday the caller asked for). */
const HOLIDAY_AWARE: readonly ModelName[] = ['decomp-holt', 'decomp-theta'];

/**
 * The weighted mean of the COMBINE_TOP candidates with the lowest backtest MASE; only holiday-aware candidates when
 * the horizon holds a holiday.
 */
export function combineBest(
  run: BacktestRun,
  scores: readonly CandidateScore[],
  holidayAhead = false,
): Combination {
  const top = [...scores]
    .filter((c) => c.model !== 'combination' && (!holidayAhead || HOLIDAY_AWARE.includes(c.model)))
    .sort((a, b) => a.mase - b.mase)
    .slice(0, COMBINE_TOP);
  const members = top.map((c) => c.model);
  const raw = top.map((c) => 1 / Math.max(1e-9, c.mase) ** WEIGHT_POWER);
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / sum);
  const fcs = members.map((m) => run.forecasts.get(m)!);
  return {
    members,
    weights,
    forecasts: run.origins.map((_, j) =>
      Array.from({ length: run.horizon }, (_, h) => fcs.reduce((a, f, i) => a + weights[i]! * f[j]![h]!, 0)),
    ),
  };
}

/** Bounds on the calibrated multiplier (a few origins must not collapse or explode a band). */
export const CALIBRATION_RANGE = [0.8, 2] as const;

/**
 * The multiplier on the empirical error quantiles at which bands built from the other origins (multiplier 1)
 * contain 80% of each held-out origin's errors, within CALIBRATION_RANGE; `fallback` with under 4 origins.
 * Tuning split: the synthetic suite's coverage 0.86-0.87 -> 0.81-0.83, NAB 0.92 -> 0.89, M4 0.79.
 */
export function calibratedWiden(
  errors: readonly (readonly number[])[],
  positive: boolean,
  fallback: number,
): number {
  if (errors.length < 4) return fallback;
  const ratios: number[] = [];
  errors.forEach((e, j) => {
    const bands = bandsFromErrors(
      errors.filter((_, i) => i !== j),
      e.length,
      positive,
      1,
    );
    e.forEach((v, h) => {
      const { lo, hi } = bands[h]!;
      // How far out the error sits, in units of the band's side it falls on (10: outside a zero-width side).
      ratios.push(v > 0 ? (hi > 0 ? v / hi : 10) : v < 0 ? (lo < 0 ? v / lo : 10) : 0);
    });
  });
  ratios.sort((a, b) => a - b);
  const k = ratios[Math.min(ratios.length - 1, Math.floor(0.8 * ratios.length))]!;
  return Math.min(CALIBRATION_RANGE[1], Math.max(CALIBRATION_RANGE[0], k));
}
