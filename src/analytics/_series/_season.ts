/** Season (period in steps) detection from the sampling step and the autocorrelation function. */
import { autocorrelation, mean } from './_stats.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Calendar periods worth trying for a sampling step: a day, a week, a year (in steps). */
export function naturalPeriods(stepMs: number): number[] {
  if (stepMs >= 27 * DAY_MS && stepMs <= 32 * DAY_MS) return [12]; // monthly data: yearly season
  if (stepMs >= 6 * DAY_MS && stepMs <= 8 * DAY_MS) return [52];
  const out: number[] = [];
  for (const span of [DAY_MS, 7 * DAY_MS]) {
    const p = span / stepMs;
    if (p >= 2 && Math.abs(p - Math.round(p)) < 1e-6) out.push(Math.round(p));
  }
  return out;
}

/**
 * Picks the season: calendar periods first (a week for daily data, a day for hourly data) when the data
 * shows it (autocorrelation above 0.2 with at least two full periods), else the strongest autocorrelation
 * peak above 0.3; 1 means no season.
 */
export function detectSeason(values: readonly number[], stepMs: number): number {
  const n = values.length;
  // Difference out slow trends first so a trend's long autocorrelation is not mistaken for a season.
  const detrended = values.slice(1).map((v, i) => v - values[i]!);
  const levelled = removeLine(values);
  let best = 1;
  // Thresholds rise for short series, where chance autocorrelation has a standard error of about 1/sqrt(n).
  const bestThreshold = Math.max(0.2, 2 / Math.sqrt(n));
  let bestAcf = bestThreshold;
  for (const p of naturalPeriods(stepMs)) {
    if (n < 2 * p) continue;
    const acf = (lag: number) => Math.max(autocorrelation(levelled, lag), autocorrelation(detrended, lag));
    const r = acf(p);
    if (best === 1) {
      if (r > bestAcf) {
        best = p;
        bestAcf = r;
      }
      continue;
    }
    // A longer calendar period (a week of hours) that is a multiple of the chosen one (a day) repeats the
    // shorter cycle too, so test it on what the shorter cycle leaves: it wins when that remainder still
    // repeats weekly (quiet weekends), or when it is clearly stronger outright.
    if (
      p % best === 0 ? autocorrelation(withoutCycle(levelled, best), p) > bestThreshold : r > bestAcf + 0.1
    ) {
      best = p;
      bestAcf = r;
    }
  }
  if (best > 1) return best;
  return peakSeason(levelled, detrended);
}

/** The autocorrelation of `values` at every lag from 0 to `maxLag` + 1. */
function acfUpTo(values: readonly number[], maxLag: number): number[] {
  return Array.from({ length: maxLag + 2 }, (_, lag) => autocorrelation(values, lag));
}

/**
 * How much of a series' variance a cycle of `p` steps explains beyond chance: 1 - variance left / variance, less
 * the 1/k a profile of k cycles takes from pure noise, rescaled so 0 is chance and 1 a perfect cycle.
 */
function cycleShare(values: readonly number[], p: number): number {
  const v = variance(values);
  const k = Math.floor(values.length / p);
  if (v <= 0 || k < 2) return 0;
  const share = 1 - variance(withoutCycle(values, p)) / v;
  return (share - 1 / k) / (1 - 1 / k);
}

function variance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, values.length);
}

/**
 * The strongest cycle that is no calendar period, or 1. Candidates are local peaks of the autocorrelation of
 * the differenced series, or of the series less its line where differencing drowns a slow cycle in noise (then
 * the differenced series must agree beyond chance, or the cycle explain 30% of the variance beyond chance over four
 * cycles or more, so a random walk's wander is no cycle). Among peaks nearly as
 * strong as the best, the shortest wins (a multiple of a cycle repeats it too); then the lag within two steps
 * whose multiples repeat best (noise moves a peak by a step; a wrong lag drifts further off at each multiple).
 */
function peakSeason(levelled: readonly number[], detrended: readonly number[]): number {
  const n = detrended.length + 1;
  const maxLag = Math.min(Math.floor(n / 2), 1000);
  if (maxLag < 2) return 1;
  const floor = Math.max(0.3, 3 / Math.sqrt(n));
  const byDiff = acfUpTo(detrended, maxLag);
  const byLevel = acfUpTo(levelled, maxLag);
  const peaks: { lag: number; r: number; acf: number[] }[] = [];
  for (let lag = 2; lag <= maxLag; lag++)
    for (const acf of [byDiff, byLevel]) {
      const r = acf[lag]!;
      if (r <= floor || r < acf[lag - 1]! || r < acf[lag + 1]!) continue;
      if (acf === byLevel && (lag * 4 > n || cycleShare(levelled, lag) < 0.3)) continue;
      peaks.push({ lag, r, acf });
    }
  if (peaks.length === 0) return 1;
  const strongest = Math.max(...peaks.map((p) => p.r));
  const first = peaks.find((p) => p.r >= strongest - 0.1)!;
  let pick = first.lag;
  let pickScore = -Infinity;
  const k = Math.max(1, Math.min(5, Math.floor(maxLag / (first.lag + 2))));
  for (let c = Math.max(2, first.lag - 2); c <= Math.min(maxLag, first.lag + 2); c++) {
    let score = 0;
    // Each lag's estimate divided by (n - lag) / n, so a longer candidate's multiples, which fewer pairs
    // estimate, are not marked down against a shorter one's.
    for (let j = 1; j <= k; j++) score += (first.acf[j * c]! * n) / (n - j * c);
    score /= k;
    if (score > pickScore + 1e-9) {
      pick = c;
      pickScore = score;
    }
  }
  return pick;
}

/** Residuals of a least-squares line (so a trend does not look like a long season). */
function removeLine(values: readonly number[]): number[] {
  const n = values.length;
  const mx = (n - 1) / 2;
  const my = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  let sxy = 0;
  let sxx = 0;
  values.forEach((v, i) => {
    sxy += (i - mx) * (v - my);
    sxx += (i - mx) ** 2;
  });
  const b = sxx ? sxy / sxx : 0;
  return values.map((v, i) => v - my - b * (i - mx));
}

/** The values minus their mean at each phase of a cycle of `p` steps. */
function withoutCycle(values: readonly number[], p: number): number[] {
  const sum = new Array<number>(p).fill(0);
  const cnt = new Array<number>(p).fill(0);
  values.forEach((v, i) => {
    sum[i % p]! += v;
    cnt[i % p]!++;
  });
  return values.map((v, i) => v - sum[i % p]! / cnt[i % p]!);
}
