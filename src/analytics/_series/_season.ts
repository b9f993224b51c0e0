/** Season (period in steps) detection from the sampling step and the autocorrelation function. */
import { autocorrelation } from './_stats.js';

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
  const maxLag = Math.min(Math.floor(n / 2), 1000);
  let peakAcf = Math.max(0.3, 3 / Math.sqrt(n));
  for (let lag = 2; lag <= maxLag; lag++) {
    const r = autocorrelation(detrended, lag);
    const left = autocorrelation(detrended, lag - 1);
    const right = autocorrelation(detrended, lag + 1);
    if (r > peakAcf && r >= left && r >= right) {
      peakAcf = r;
      best = lag;
    }
  }
  return best;
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
