/** UTC time windows. Every query takes an explicit [from, to) window; there is no "all time" default. */
import { TallyError } from './errors.js';

/** A half-open UTC interval [from, to). */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
}

// Strict shapes: a calendar day, or a day and a time (seconds and fraction optional) with an optional zone.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MONTH = /^(\d{4})-(\d{2})$/;
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Days in a month (1-12) of a year, leap years included. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function badDate(text: string, field: string, why: string): TallyError {
  return new TallyError(
    'invalid_input',
    `${field}: "${text}" is not a date${why ? ` (${why})` : ''}; give YYYY-MM-DD or an ISO 8601 timestamp such as 2026-02-28T09:30:00Z (UTC unless it names a zone)`,
    { field },
  );
}

/**
 * Parses an ISO date or timestamp as UTC (a date or time without a zone is taken as UTC). Strict: the calendar
 * must exist (2026-02-30 is refused, where `new Date` would roll it over to March 2), and nothing else is
 * guessed ("yesterday", "2026-1", epoch numbers).
 */
export function parseUtc(text: string, field = 'date'): Date {
  const m = DATE_TIME.exec(text.trim());
  if (!m) throw badDate(text, field, '');
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) throw badDate(text, field, `month ${mo} is not 01-12`);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) throw badDate(text, field, `${MONTH_NAMES[month - 1]} ${year} has ${last} days`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw badDate(text, field, `${h}:${mi}:${s} is not a time of day`);
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(-2));
    if (oh > 23 || om > 59) throw badDate(text, field, `${zone} is not a UTC offset`);
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Math.floor(Number(`0${frac || '.0'}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms);
  return new Date(utc - offsetMin * 60_000);
}

/** Parses a calendar day "YYYY-MM-DD" (strict, as parseUtc) and returns it unchanged. */
export function parseDay(text: string, field = 'date'): string {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t))
    throw new TallyError(
      'invalid_input',
      `${field}: "${text}" is not a day; give YYYY-MM-DD, e.g. 2026-02-28`,
      {
        field,
      },
    );
  parseUtc(t, field);
  return t;
}

/** Parses a calendar month "YYYY-MM" (two-digit month 01-12); the error says what to give instead. */
export function parseMonth(text: string, field = 'period'): { year: number; month: number } {
  const m = MONTH.exec(text.trim());
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12)
    throw new TallyError(
      'invalid_input',
      `${field}: "${text}" is not a month; give YYYY-MM with a two-digit month 01-12, e.g. 2026-02`,
      { field },
    );
  return { year: Number(m[1]), month };
}

/** The window of one calendar month "YYYY-MM". */
export function monthWindow(period: string, field = 'period'): TimeWindow {
  const { year: y, month: m } = parseMonth(period, field);
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
