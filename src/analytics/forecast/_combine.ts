/**
 * What the backtest's winner becomes: the three candidates with the lowest backtest MASE, weighted by 1 / MASE^2 (a
 * single pick from 8 noisy origins loses to a combination: M4's lesson; ADR 0029 took the plain mean of two, ADR
 * 0038 three weighted by backtest error, which on the tuning split gained most on M4 and NAB). Its bands are
 * calibrated per series in _calibrate.ts.
 */
import type { BacktestRun, CandidateScore } from './_backtest.js';
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
