/**
 * Rolling-origin backtest: the candidates are refitted at up to MAX_ORIGINS origins at the end of the history
 * (a horizon apart when the history allows, else down to half a horizon) and forecast the next `Hb` steps from each; their errors give MASE and sMAPE for selection, and the winner's
 * errors by horizon give its prediction intervals (conformal in spirit). Coverage is measured leave-one-origin-out:
 * each origin's actuals against bands built from the other origins' errors.
 */
import {
  BASE_MODELS,
  ENSEMBLE_OF,
  fitEts,
  forecastAll,
  primarySeason,
  type ModelInput,
  type ModelName,
} from './_models.js';
import { bandsFromErrors, errorOf, type Band } from './_intervals.js';

/** Origins per backtest (more: steadier choice and intervals, proportionally more CPU). */
export const MAX_ORIGINS = 8;

/** One candidate's backtest scores. */
export interface CandidateScore {
  readonly model: ModelName;
  /** Mean absolute scaled error (scale: in-sample seasonal-naive MAE of each origin's history). */
  readonly mase: number;
  /** Symmetric MAPE in percent (0-200). */
  readonly smape: number;
  /** Share of held-out actuals inside the leave-one-origin-out p10-p90 band (target 0.8). */
  readonly coverage80: number;
}

/** The forecasts of every candidate at every origin, with the actuals. */
export interface BacktestRun {
  readonly origins: readonly number[];
  /** Steps forecast from each origin (<= the requested horizon when history is short). */
  readonly horizon: number;
  readonly actuals: readonly (readonly number[])[];
  readonly scales: readonly number[];
  readonly forecasts: ReadonlyMap<ModelName, readonly (readonly number[])[]>;
}

/** The shortest history a model is fitted on in the backtest. */
export function minTraining(seasons: readonly number[]): number {
  return Math.max(7, 2 * (seasons.find((p) => p > 1) ?? 1));
}

/** Runs the backtest, or returns null when the history is too short for one origin. */
export function runBacktest(m: ModelInput, H: number): BacktestRun | null {
  const n = m.y.length;
  const minTrain = minTraining(m.seasons);
  const Hb = Math.min(H, n - minTrain);
  if (Hb < 1) return null;
  // Origins a whole backtest horizon apart when the history holds MAX_ORIGINS of them (twice the span of
  // half-horizon strides, so a choice rests on more distinct days: tuning split, Yosemite 5-minute 1.011 -> 0.967 of
  // seasonal naive, M4 0.771 -> 0.746); shorter histories close up to half a horizon, as before, to keep their origins.
  const room = Math.floor((n - minTrain - Hb) / (MAX_ORIGINS - 1));
  const stride = Math.max(1, Math.ceil(Hb / 2), Math.min(Hb, room));
  const k = Math.min(MAX_ORIGINS, 1 + Math.floor((n - minTrain - Hb) / stride));
  const origins = Array.from({ length: k }, (_, j) => n - Hb - j * stride);
  const forecasts = new Map<ModelName, number[][]>();
  const actuals: number[][] = [];
  const scales: number[] = [];
  // Holt-Winters' parameter grid runs once, at the earliest origin; later origins reuse those parameters (fitted on
  // less data than they have, so still no look-ahead) and only filter.
  const earliest = origins[origins.length - 1]!;
  const ets = fitEts({ ...m, y: m.y.slice(0, earliest) });
  for (const t of origins) {
    const hist = m.y.slice(0, t);
    const sub: ModelInput = { ...m, y: hist };
    actuals.push(m.y.slice(t, t + Hb));
    scales.push(naiveScale(hist, primarySeason(t, m.seasons)));
    const all = forecastAll(sub, Hb, ets);
    for (const name of BASE_MODELS) {
      if (!all[name]) continue;
      let list = forecasts.get(name);
      if (!list) forecasts.set(name, (list = []));
      list.push(all[name]!);
    }
  }
  // A candidate that needs more history than the earliest origin holds (a year, three weeks) is left out.
  for (const [name, list] of forecasts) if (list.length < origins.length) forecasts.delete(name);
  const members = ENSEMBLE_OF.map((name) => forecasts.get(name)!);
  forecasts.set(
    'ensemble',
    origins.map((_, j) =>
      Array.from({ length: Hb }, (_, h) => members.reduce((a, f) => a + f[j]![h]!, 0) / members.length),
    ),
  );
  return { origins, horizon: Hb, actuals, scales, forecasts };
}

/** In-sample MAE of the seasonal-naive forecast (one step when the history is shorter than two seasons). */
export function naiveScale(y: readonly number[], s: number): number {
  const p = y.length > s ? s : 1;
  let sum = 0;
  for (let t = p; t < y.length; t++) sum += Math.abs(y[t]! - y[t - p]!);
  const mae = sum / Math.max(1, y.length - p);
  if (mae > 0) return mae;
  // A flat history: scale by its level so a forecast error still counts (and never divides by zero).
  return Math.max(1e-9, (y.reduce((a, v) => a + Math.abs(v), 0) / Math.max(1, y.length)) * 0.01);
}

/** Scores every candidate of a run. */
export function scoreCandidates(run: BacktestRun, positive: boolean): CandidateScore[] {
  const out: CandidateScore[] = [];
  for (const [model, fc] of run.forecasts) {
    let mase = 0;
    let smape = 0;
    let smapeN = 0;
    let inside = 0;
    let total = 0;
    run.origins.forEach((_, j) => {
      let abs = 0;
      run.actuals[j]!.forEach((y, h) => {
        const f = fc[j]![h]!;
        abs += Math.abs(y - f);
        const den = Math.abs(y) + Math.abs(f);
        smape += den ? (200 * Math.abs(y - f)) / den : 0;
        smapeN++;
      });
      mase += abs / run.horizon / run.scales[j]!;
      if (run.origins.length < 2) return;
      // Leave this origin out, build bands from the rest, count its actuals inside.
      const others = run.origins.map((_, i) => i).filter((i) => i !== j);
      const bands = bandsFromErrors(
        others.map((i) => run.actuals[i]!.map((y, h) => errorOf(y, fc[i]![h]!, positive))),
        run.horizon,
        positive,
      );
      run.actuals[j]!.forEach((y, h) => {
        const b: Band = bands[h]!;
        const f = fc[j]![h]!;
        total++;
        if (y >= b.apply(f).p10 && y <= b.apply(f).p90) inside++;
      });
    });
    out.push({
      model,
      mase: mase / run.origins.length,
      smape: smape / Math.max(1, smapeN),
      coverage80: total ? inside / total : Number.NaN,
    });
  }
  return out;
}
