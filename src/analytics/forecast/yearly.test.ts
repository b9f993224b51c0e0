import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastSeries } from './index.js';
import { YEARLY_MIN_HISTORY, yearlyForecast } from './_yearly.js';

const DAY = 86_400_000;
/** Monday 2023-01-02 UTC. */
const START = Date.UTC(2023, 0, 2);

/** Deterministic noise in [-1, 1) (a hash of the step, so every run sees the same series). */
function noise(t: number): number {
  const x = Math.sin(t * 12.9898 + 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

/**
 * Daily spend: weekends at 60% of weekdays, slow growth, 8% noise, and with `season` a busy season (2.2x) from
 * late August to late November that ramps up and down over two weeks, every year on the same dates.
 */
function daily(days: number, season: boolean): { timestamp: number; value: number }[] {
  return Array.from({ length: days }, (_, t) => {
    const timestamp = START + t * DAY;
    const d = new Date(timestamp);
    const doy = (timestamp - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY;
    const ramp = Math.min(1, Math.max(0, (doy - 235) / 14), Math.max(0, (335 - doy) / 14));
    const weekday = t % 7 >= 5 ? 0.6 : 1;
    const level = 100 * (1 + t / 2000) * (season ? 1 + 1.2 * ramp : 1);
    return { timestamp, value: level * weekday * (1 + 0.08 * noise(t)) };
  });
}

test('a daily series with a strong yearly season chooses the yearly candidate by its backtest, and --explain data names it', () => {
  // Three years ending early December: the backtest's origins saw this year's season rise and fall.
  const f = forecastSeries(daily(3 * 365 + 340, true), { horizon: 28 });
  const yearly = f.backtest!.candidates.find((c) => c.model === 'yearly');
  assert.ok(yearly, 'the candidate is backtested');
  const naive = f.backtest!.candidates.find((c) => c.model === 'seasonal-naive')!;
  assert.ok(yearly.mase < 0.5 * naive.mase, `yearly ${yearly.mase} vs seasonal naive ${naive.mase}`);
  assert.ok(f.backtest!.members.includes('yearly'), `members: ${f.backtest!.members.join(', ')}`);
});

test('a daily series without a yearly pattern backtests the yearly candidate but does not choose it', () => {
  const f = forecastSeries(daily(3 * 365 + 340, false), { horizon: 28 });
  assert.ok(f.backtest!.candidates.some((c) => c.model === 'yearly'));
  assert.ok(!f.backtest!.members.includes('yearly'), `members: ${f.backtest!.members.join(', ')}`);
});

test('histories under two years, and sub-daily series, never use the yearly candidate', () => {
  assert.equal(yearlyForecast(new Array<number>(YEARLY_MIN_HISTORY - 1).fill(5), 28), null);
  assert.notEqual(yearlyForecast(new Array<number>(YEARLY_MIN_HISTORY).fill(5), 28), null);
  const short = forecastSeries(daily(700, true), { horizon: 28 });
  assert.ok(!short.backtest!.candidates.some((c) => c.model === 'yearly'));
  const hourly = Array.from({ length: 3000 }, (_, t) => ({
    timestamp: START + t * 3_600_000,
    value: 100 + 20 * Math.sin((2 * Math.PI * t) / 24) + 5 * noise(t),
  }));
  assert.ok(!forecastSeries(hourly, { horizon: 48 }).backtest!.candidates.some((c) => c.model === 'yearly'));
});

test('the yearly candidate re-levels last year: the same weekdays a year back, moved by how the level changed since', () => {
  // Two years and four weeks of a pattern that repeats every 364 days, doubled in the second year.
  const shape = (t: number) => 10 + ((t % 364) % 7) + (t % 364 > 200 && t % 364 < 230 ? 20 : 0);
  const y = Array.from(
    { length: 2 * 364 + 190 },
    (_, t) => shape(t) * (t >= 364 ? 2 : 1) * (t >= 728 ? 1.5 : 1),
  );
  const f = yearlyForecast(y, 28)!;
  const n = y.length;
  for (let h = 0; h < 28; h++) {
    const expected = shape(n + h) * 3;
    assert.ok(Math.abs(f[h]! - expected) < 1e-9 * expected, `step ${h}: ${f[h]} vs ${expected}`);
  }
});
