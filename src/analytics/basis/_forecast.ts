/**
 * Committed plus variable: a spend forecast on the cost basis. Committed cost (PTU hours, reservations,
 * fine-tuned hosting) follows a known schedule, read from the export's last billed days, with an interval from the
 * schedule's own backtest (zero width when the schedule has always held); variable cost (tokens) is forecast from
 * its history by forecastSeries, the product's one forecaster. The totals add the two parts' quantiles (p10 to
 * p10: as if their errors moved together, so the total's band is on the wide side, never too narrow).
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';
import { median } from '../_series/index.js';
import { forecastSeries, type SeriesForecast } from '../forecast/index.js';
import { committedInterval, type CommittedInterval } from './_committed-backtest.js';

const DAY = 86_400_000;
/** Days of history spend forecasts learn from (the CLI's default, budgets and the dashboard: so they agree). */
export const FORECAST_HISTORY_DAYS = 90;
// Days of billed committed cost the schedule is read from; a median, so a day-1 purchase is not a daily rate.
const SCHEDULE_DAYS = 7;

/** The organisation's holidays (`reporting.holidays`) as the epoch ms of each UTC day. */
export function configHolidays(cfg: { reporting?: { holidays?: readonly string[] | undefined } }): number[] {
  return (cfg.reporting?.holidays ?? []).map((d) => Date.parse(`${d}T00:00:00Z`));
}

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
  /** The part of committed that is a monthly commitment (fixed per month, whatever its length). */
  readonly commitment?: ReadonlyMap<number, Nanos>;
  readonly historyFrom: number;
  /** Start of today (UTC): history ends before it; the forecast starts on it. */
  readonly today: number;
  /** Exclusive end of the days the export billed; later days carry no committed cost yet. Null: no export. */
  readonly exportEnd: number | null;
}

/** A committed-plus-variable forecast of the days [start, start + days). */
export interface SplitForecast {
  /** The committed schedule's sum over the window (its p50). */
  readonly committedUsd: number;
  /** The committed part's interval and where it comes from. */
  readonly committed: CommittedInterval;
  readonly variable: Quantiles;
  readonly total: Quantiles;
  /** Committed cost per day of the schedule (the median of the last billed days). */
  readonly committedPerDayUsd: number;
  /** Committed cost the export has not billed yet for history days after its end (up to today). */
  readonly pendingCommittedUsd: number;
  readonly tier: string;
  readonly season: number;
  /** The variable part's rolling-origin backtest (null when the history was too short for one). */
  readonly backtest: SeriesForecast['backtest'];
  /** Set when the variable part's history was short (ADR 0053). */
  readonly shortHistory?: SeriesForecast['shortHistory'];
  readonly points: readonly { day: number; committed: number; p10: number; p50: number; p90: number }[];
}

const daysInMonth = (d: number) => {
  const t = new Date(d);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
};

/** A committed-cost schedule: cost on a given future day (USD). */
export interface CommittedSchedule {
  /** Hourly/daily committed charges per day (PTU hours, hosting). */
  readonly perDay: number;
  /** Monthly commitments per month (amortized over the month's days). */
  readonly perMonth: number;
  /** What a first of the month carries beyond that (a billed purchase), recurring each month. */
  readonly monthStart: number;
  readonly at: (day: number) => number;
}

/**
 * The committed schedule read from the export's last billed days (medians over up to 7 days, firsts of the month
 * left out): a daily rate for time-billed charges, a monthly amount for commitments (spread over each month's own
 * days, so a 31-day month costs what a 30-day month does), and a first-of-month amount for billed purchases.
 */
export function committedSchedule(h: SplitHistory): CommittedSchedule {
  const end = Math.min(h.today, h.exportEnd ?? h.historyFrom);
  const usd = (m: ReadonlyMap<number, Nanos> | undefined, d: number) => nanosToUsd(m?.get(d) ?? 0n);
  const daily: number[] = [];
  const monthly: number[] = [];
  for (let d = end - DAY; d >= h.historyFrom && daily.length < SCHEDULE_DAYS; d -= DAY)
    if (new Date(d).getUTCDate() !== 1) {
      daily.push(usd(h.committed, d) - usd(h.commitment, d));
      monthly.push(usd(h.commitment, d) * daysInMonth(d));
    }
  const perDay = daily.length > 0 ? median(daily) : 0;
  const perMonth = monthly.length > 0 ? median(monthly) : 0;
  // The latest first-of-month billed: what it carries beyond the daily rate recurs each month (a purchase).
  let monthStart = 0;
  for (let d = end - DAY; d >= h.historyFrom && d >= end - 35 * DAY; d -= DAY)
    if (new Date(d).getUTCDate() === 1) {
      monthStart = Math.max(0, usd(h.committed, d) - perDay - perMonth / daysInMonth(d));
      break;
    }
  const at = (d: number) =>
    perDay + perMonth / daysInMonth(d) + (new Date(d).getUTCDate() === 1 ? monthStart : 0);
  return { perDay, perMonth, monthStart, at };
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
  holidays: readonly number[] = [],
): SplitForecast {
  const sched = committedSchedule(h);
  const at = sched.at;
  const hist: number[] = [];
  for (let d = h.historyFrom; d < h.today; d += DAY) {
    const total = h.total.get(d) ?? 0n;
    hist.push(nanosToUsd(total - (h.committed.get(d) ?? 0n)));
  }
  // Drop leading days with no spend at all: a scope that started later has no history before it.
  while (hist.length > 0 && hist[0] === 0) hist.shift();
  const gap = Math.max(0, Math.round((start - h.today) / DAY));
  // Days between today and `start` are forecast too; the total covers only the window asked for.
  const f = forecastSeries(
    hist.map((value, i) => ({ timestamp: h.today - (hist.length - i) * DAY, value })),
    { horizon: gap + Math.max(1, days), stepMs: DAY, nonNegative: true, totalFrom: gap, holidays },
  );
  let committedUsd = 0;
  const points = f.points.slice(gap, gap + days).map((p, i) => {
    const day = start + i * DAY;
    const c = at(day);
    committedUsd += c;
    return { day, committed: c, p10: c + p.p10, p50: c + p.p50, p90: c + p.p90 };
  });
  let pending = 0;
  if (h.exportEnd !== null)
    for (let d = Math.max(h.exportEnd, pendingFrom); d < h.today; d += DAY) pending += at(d);
  const variable = days > 0 ? f.total : { p10: 0, p50: 0, p90: 0 };
  const committed = committedInterval(h, committedUsd, days, committedSchedule);
  return {
    committedUsd,
    committed,
    variable,
    total: {
      p10: committed.p10 + variable.p10,
      p50: committedUsd + variable.p50,
      p90: committed.p90 + variable.p90,
    },
    committedPerDayUsd: sched.perDay,
    pendingCommittedUsd: pending,
    tier:
      f.backtest?.winner === 'combination' ? `combination of ${f.backtest.members.join(' and ')}` : f.model,
    season: f.seasons[0] ?? 1,
    backtest: f.backtest,
    ...(f.shortHistory ? { shortHistory: f.shortHistory } : {}),
    points,
  };
}
