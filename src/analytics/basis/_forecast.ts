/**
 * Committed plus variable: a spend forecast on the cost basis. Committed cost (PTU hours, reservations,
 * fine-tuned hosting) follows a known schedule, read from the export's last billed days; variable cost (tokens)
 * is forecast from its history. The two are added: the committed schedule has no spread, so the interval is the
 * variable part's own (p10/p90 of its total, never a sum of daily bands).
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';
import { median } from '../_series/index.js';
import { forecastValues } from '../forecast/index.js';

const DAY = 86_400_000;
// Days of billed committed cost the schedule is read from; a median, so a day-1 purchase is not a daily rate.
const SCHEDULE_DAYS = 7;

/** Quantiles in USD. */
export interface Quantiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** Inputs: daily totals and their committed part, complete days in [historyFrom, today). */
export interface SplitHistory {
  readonly total: ReadonlyMap<number, Nanos>;
  readonly committed: ReadonlyMap<number, Nanos>;
  readonly historyFrom: number;
  /** Start of today (UTC): history ends before it; the forecast starts on it. */
  readonly today: number;
  /** Exclusive end of the days the export billed; later days carry no committed cost yet. Null: no export. */
  readonly exportEnd: number | null;
}

/** A committed-plus-variable forecast of the days [start, start + days). */
export interface SplitForecast {
  readonly committedUsd: number;
  readonly variable: Quantiles;
  readonly total: Quantiles;
  /** Committed cost per day of the schedule (the median of the last billed days). */
  readonly committedPerDayUsd: number;
  /** Committed cost the export has not billed yet for history days after its end (up to today). */
  readonly pendingCommittedUsd: number;
  readonly tier: string;
  readonly season: number;
  readonly points: readonly { day: number; committed: number; p10: number; p50: number; p90: number }[];
}

/** The committed schedule: a daily rate, plus a month-start amount when the billed metric puts purchases there. */
export function committedSchedule(h: SplitHistory): { perDay: number; monthStart: number } {
  const end = Math.min(h.today, h.exportEnd ?? h.historyFrom);
  const days: number[] = [];
  for (let d = end - DAY; d >= h.historyFrom && days.length < SCHEDULE_DAYS; d -= DAY)
    if (new Date(d).getUTCDate() !== 1) days.push(nanosToUsd(h.committed.get(d) ?? 0n));
  const perDay = days.length > 0 ? median(days) : 0;
  // The latest first-of-month billed: what it carries beyond the daily rate recurs each month (a purchase).
  let monthStart = 0;
  for (let d = end - DAY; d >= h.historyFrom && d >= end - 35 * DAY; d -= DAY)
    if (new Date(d).getUTCDate() === 1) {
      monthStart = Math.max(0, nanosToUsd(h.committed.get(d) ?? 0n) - perDay);
      break;
    }
  return { perDay, monthStart };
}

/**
 * Forecasts `days` days from `start` (>= today): committed by schedule, variable from history. Days between today
 * and `start` are forecast too (their median fills the history), so the interval is that of the window asked for.
 * `pendingCommittedUsd` counts the schedule over days from `pendingFrom` the export has not billed yet.
 */
export function forecastSplit(
  h: SplitHistory,
  start: number,
  days: number,
  pendingFrom = h.historyFrom,
): SplitForecast {
  const sched = committedSchedule(h);
  const at = (d: number) => sched.perDay + (new Date(d).getUTCDate() === 1 ? sched.monthStart : 0);
  const hist: number[] = [];
  for (let d = h.historyFrom; d < h.today; d += DAY) {
    const total = h.total.get(d) ?? 0n;
    hist.push(nanosToUsd(total - (h.committed.get(d) ?? 0n)));
  }
  // Drop leading days with no spend at all: a scope that started later has no history before it.
  while (hist.length > 0 && hist[0] === 0) hist.shift();
  const gap = Math.max(0, Math.round((start - h.today) / DAY));
  const season = hist.length >= 14 ? 7 : 1;
  const pre = gap > 0 ? varForecast(hist, gap, season) : null;
  const f = varForecast([...hist, ...(pre?.points.map((p) => p.p50) ?? [])], Math.max(1, days), season);
  let committedUsd = 0;
  const points = f.points.slice(0, days).map((p, i) => {
    const day = start + i * DAY;
    const c = at(day);
    committedUsd += c;
    return { day, committed: c, p10: c + p.p10, p50: c + p.p50, p90: c + p.p90 };
  });
  let pending = 0;
  if (h.exportEnd !== null)
    for (let d = Math.max(h.exportEnd, pendingFrom); d < h.today; d += DAY) pending += at(d);
  const variable = days > 0 ? f.total : { p10: 0, p50: 0, p90: 0 };
  return {
    committedUsd,
    variable,
    total: {
      p10: committedUsd + variable.p10,
      p50: committedUsd + variable.p50,
      p90: committedUsd + variable.p90,
    },
    committedPerDayUsd: sched.perDay,
    pendingCommittedUsd: pending,
    tier: f.tier,
    season,
    points,
  };
}

/** The one call into the forecast engine for spend on the cost basis (kept here so engine changes land once). */
function varForecast(hist: readonly number[], horizon: number, season: number) {
  return forecastValues(hist, { horizon, season, nonNegative: true });
}
