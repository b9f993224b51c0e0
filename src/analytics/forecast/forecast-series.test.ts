import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forecastSeries, type SeriesPoint } from './index.js';

const DAY = 86_400_000;
// 2026-01-05 is a Monday.
const MONDAY = Date.UTC(2026, 0, 5);

/** Daily spend with quiet weekends, seeded noise, from `start` (epoch ms) for `days` days. */
function daily(
  days: number,
  start = MONDAY,
  level = (_t: number) => 100,
  noise = 0.05,
  seed = 7,
): SeriesPoint[] {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: days }, (_, i) => {
    const t = start + i * DAY;
    const weekday = new Date(t).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    return { timestamp: t, value: level(t) * (weekend ? 0.4 : 1) * (1 + noise * r()) };
  });
}

const isWeekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

test('a series with a level shift is forecast at its new level after the change', () => {
  const launch = MONDAY + 70 * DAY;
  const f = forecastSeries(
    daily(91, MONDAY, (t) => (t >= launch ? 250 : 100)),
    { horizon: 14 },
  );
  for (const p of f.points) {
    const expected = 250 * (isWeekend(p.timestamp) ? 0.4 : 1);
    assert.ok(Math.abs(p.p50 - expected) < 0.12 * expected, `${f.model}: ${p.p50} vs ${expected}`);
  }
});

test('the weekly season is anchored to the calendar: the forecast hardly depends on the weekday history starts on', () => {
  const full = daily(98, MONDAY - 6 * DAY);
  const forecasts = [0, 1, 2, 3, 4, 5, 6].map((cut) => forecastSeries(full.slice(cut), { horizon: 14 }));
  const ref = forecasts[0]!;
  for (const f of forecasts) {
    assert.deepEqual(
      f.points.map((p) => p.timestamp),
      ref.points.map((p) => p.timestamp),
    );
    f.points.forEach((p, i) => {
      assert.ok(
        Math.abs(p.p50 - ref.points[i]!.p50) < 0.04 * ref.points[i]!.p50,
        `${p.p50} vs ${ref.points[i]!.p50}`,
      );
      // Saturdays and Sundays are forecast low whatever the first day was.
      if (isWeekend(p.timestamp)) assert.ok(p.p50 < 0.6 * ref.points[0]!.p50);
    });
  }
});

test('intervals widen with the horizon and hold the median', () => {
  const f = forecastSeries(
    daily(120, MONDAY, (t) => 100 + (t - MONDAY) / DAY, 0.15),
    { horizon: 28 },
  );
  const rel = f.points.map((p) => (p.p90 - p.p10) / p.p50);
  for (const p of f.points) assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90);
  assert.ok(rel[27]! > rel[0]!, `${rel[0]} -> ${rel[27]}`);
  for (let h = 1; h < rel.length; h++) assert.ok(rel[h]! >= rel[h - 1]! - 1e-9, `step ${h + 1} narrower`);
});

test('seasonal naive is kept unless beaten by 5% in the backtest, else the three best are combined by 1 / MASE squared; it loses on a trending series', () => {
  const f = forecastSeries(
    daily(120, MONDAY, (t) => 100 * 1.015 ** ((t - MONDAY) / DAY), 0.02),
    { horizon: 14 },
  );
  const b = f.backtest!;
  const singles = b.candidates.filter((c) => c.model !== 'combination');
  const ranked = [...singles].sort((x, y) => x.mase - y.mase);
  const naive = singles.find((c) => c.model === 'seasonal-naive')!;
  assert.equal(f.model, b.winner);
  assert.deepEqual(singles.map((c) => c.model).sort(), [
    'cycle-profile',
    'decomp-holt',
    'decomp-theta',
    'ensemble',
    'ets',
    'harmonic',
    'seasonal-median',
    'seasonal-naive',
  ]);
  assert.ok(naive.mase > ranked[0]!.mase * 1.05);
  assert.equal(f.model, 'combination');
  assert.deepEqual(b.members, [ranked[0]!.model, ranked[1]!.model, ranked[2]!.model]);
  // Weights sum to 1, follow 1 / MASE^2, so the best member weighs most.
  assert.ok(Math.abs(b.weights.reduce((a, w) => a + w, 0) - 1) < 1e-12);
  const inv = ranked.slice(0, 3).map((c) => 1 / c.mase ** 2);
  const sum = inv.reduce((a, v) => a + v, 0);
  b.weights.forEach((w, i) => assert.ok(Math.abs(w - inv[i]! / sum) < 1e-12, `weight ${i}: ${w}`));
  assert.ok(b.weights[0]! >= b.weights[2]!);
  // The combination's own backtest score is reported beside its members'.
  const combo = b.candidates.find((c) => c.model === 'combination')!;
  assert.ok(combo.mase < 0.7 * naive.mase, `${combo.mase} vs ${naive.mase}`);
});

test('seasonal naive is kept when nothing beats it in the backtest: an exactly repeating week', () => {
  const pts = daily(84, MONDAY, () => 100, 0).map((p, i) => ({
    ...p,
    value: p.value * (1 + (((i % 7) * 37) % 11) / 10),
  }));
  const f = forecastSeries(pts, { horizon: 7 });
  assert.equal(f.model, 'seasonal-naive');
  f.points.forEach((p, i) => assert.ok(Math.abs(p.p50 - pts[pts.length - 7 + i]!.value) < 1e-9));
});

test('80% intervals hold about 80% of held-out values on noisy weekly series', () => {
  let inside = 0;
  let total = 0;
  for (let seed = 1; seed <= 30; seed++) {
    const all = daily(130, MONDAY, () => 50 + seed * 10, 0.2, seed * 7919);
    const f = forecastSeries(all.slice(0, 102), { horizon: 28 });
    f.points.forEach((p, i) => {
      const y = all[102 + i]!.value;
      if (y >= p.p10 && y <= p.p90) inside++;
      total++;
    });
  }
  const coverage = inside / total;
  assert.ok(coverage > 0.7 && coverage < 0.92, String(coverage));
});

test('a week of history is enough: no backtest, a seasonal profile, timestamps continue the series', () => {
  const f = forecastSeries(daily(7), { horizon: 3 });
  assert.equal(f.backtest, null);
  assert.ok(['profile', 'naive'].includes(f.model));
  assert.deepEqual(
    f.points.map((p) => p.timestamp),
    [MONDAY + 7 * DAY, MONDAY + 8 * DAY, MONDAY + 9 * DAY],
  );
  for (const p of f.points) assert.ok(p.p10 <= p.p50 && p.p50 <= p.p90 && p.p10 >= 0);
});

test('a missing day is filled, so later weekdays keep their place in the season', () => {
  const pts = daily(84).filter((_, i) => i !== 40);
  const f = forecastSeries(pts, { horizon: 7 });
  for (const p of f.points) {
    const expected = 100 * (isWeekend(p.timestamp) ? 0.4 : 1);
    assert.ok(Math.abs(p.p50 - expected) < 0.1 * expected, `${p.p50} vs ${expected}`);
  }
});

test('hourly spend with a daily and a weekly cycle uses both calendar seasons', () => {
  const HOUR = 3_600_000;
  const pts: SeriesPoint[] = Array.from({ length: 24 * 7 * 4 }, (_, i) => {
    const t = MONDAY + i * HOUR;
    const hour = new Date(t).getUTCHours();
    return { timestamp: t, value: (isWeekend(t) ? 0.3 : 1) * (10 + 8 * Math.sin((2 * Math.PI * hour) / 24)) };
  });
  const f = forecastSeries(pts, { horizon: 48 });
  assert.deepEqual(f.seasons, [24, 168]);
  // The forecast starts on a Monday 00:00 after four full weeks; Monday's 06:00 peak is ~18.
  assert.ok(Math.abs(f.points[6]!.p50 - 18) < 1.5, String(f.points[6]!.p50));
});

test('holidays are left out of the weekly profile and forecast with their own effect', () => {
  const holidays = [MONDAY + 28 * DAY, MONDAY + 56 * DAY, MONDAY + 91 * DAY];
  const pts = daily(84).map((p) => (holidays.includes(p.timestamp) ? { ...p, value: p.value * 0.3 } : p));
  const f = forecastSeries(pts, { horizon: 14, holidays });
  const holiday = f.points.find((p) => p.timestamp === holidays[2])!;
  const monday = f.points.find((p) => p.timestamp === holidays[2]! - 7 * DAY)!;
  assert.ok(holiday.p50 < 0.6 * monday.p50, `${holiday.p50} vs ${monday.p50}`);
});
