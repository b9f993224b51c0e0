/** Fixed UTC windows for quotas and budgets: hour, day, ISO week (Monday 00:00 UTC), month. */

/** A fixed-window length. */
export type Period = 'hour' | 'day' | 'week' | 'month';

/** Every period, shortest first. */
export const PERIODS: readonly Period[] = ['hour', 'day', 'week', 'month'];

/** A fixed window [start, end) and the label naming its bucket. */
export interface PeriodWindow {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

// Every admission asks for the current window of each period it limits: keep the last one per period.
const current = new Map<Period, PeriodWindow>();

/** The window [start, end) of `period` containing `nowMs`, and a label naming that bucket. */
export function periodWindow(period: Period, nowMs: number): PeriodWindow {
  const last = current.get(period);
  if (last && nowMs >= last.start && nowMs < last.end) return last;
  const w = computeWindow(period, nowMs);
  current.set(period, w);
  return w;
}

function computeWindow(period: Period, nowMs: number): PeriodWindow {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (period) {
    case 'hour': {
      const start = Math.floor(nowMs / 3_600_000) * 3_600_000;
      return { start, end: start + 3_600_000, label: new Date(start).toISOString().slice(0, 13) };
    }
    case 'day': {
      const start = Date.UTC(y, m, day);
      return { start, end: start + 86_400_000, label: new Date(start).toISOString().slice(0, 10) };
    }
    case 'week': {
      const sinceMonday = (d.getUTCDay() + 6) % 7;
      const start = Date.UTC(y, m, day - sinceMonday);
      return { start, end: start + 7 * 86_400_000, label: `w${new Date(start).toISOString().slice(0, 10)}` };
    }
    case 'month': {
      const start = Date.UTC(y, m, 1);
      return { start, end: Date.UTC(y, m + 1, 1), label: new Date(start).toISOString().slice(0, 7) };
    }
  }
}
