/** UTC time windows. Every query takes an explicit [from, to) window; there is no "all time" default. */
import { TallyError } from './errors.js';

/** A half-open UTC interval [from, to). */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_ONLY = /^\d{4}-\d{2}$/;

/** Parses an ISO date or timestamp as UTC (a date without a zone is taken as UTC midnight). */
export function parseUtc(text: string, field = 'date'): Date {
  const t = text.trim();
  let d: Date;
  if (DATE_ONLY.test(t)) d = new Date(`${t}T00:00:00Z`);
  else if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(t)) d = new Date(t);
  else d = new Date(`${t.replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime()))
    throw new TallyError(
      'invalid_input',
      `${field}: "${text}" is not a date; use YYYY-MM-DD or an ISO timestamp`,
      {
        field,
      },
    );
  return d;
}

/** The window of one calendar month "YYYY-MM". */
export function monthWindow(period: string): TimeWindow {
  if (!MONTH_ONLY.test(period))
    throw new TallyError('invalid_input', `period: "${period}" is not a month; use YYYY-MM`, {
      field: 'period',
    });
  const [y, m] = period.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)), to: new Date(Date.UTC(y, m, 1)) };
}

/** The month before "YYYY-MM". */
export function previousMonth(period: string): string {
  const { from } = monthWindow(period);
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** Builds a window from optional --from/--to texts; missing ends default to [to - days, now). */
export function windowFrom(
  opts: { from?: string | undefined; to?: string | undefined },
  defaultDays = 30,
  now = new Date(),
): TimeWindow {
  const to = opts.to ? parseUtc(opts.to, 'to') : now;
  const from = opts.from ? parseUtc(opts.from, 'from') : new Date(to.getTime() - defaultDays * 86_400_000);
  if (from.getTime() >= to.getTime())
    throw new TallyError(
      'invalid_input',
      `from (${from.toISOString()}) must be before to (${to.toISOString()})`,
      {
        field: 'from',
      },
    );
  return { from, to };
}

/** Start of the UTC day containing `d`. */
export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Start of the UTC hour containing `d`. */
export function startOfUtcHour(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
}

/** "YYYY-MM-DD" of a date in UTC. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
