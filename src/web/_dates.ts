/** UTC calendar days as 'YYYY-MM-DD' strings: windows are [from, to) with `to` exclusive, like the API's. */
import { previousPeriod } from '../analytics/index.js';

const DAY_MS = 86_400_000;

/** The UTC day of a moment. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** True for a well-formed calendar day. */
export function isDay(s: string | undefined): s is string {
  return !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** The first day of the month `n` months after the month of `day`. */
export function monthStart(day: string, n = 0): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return isoDay(d);
}

/** The date presets the explorer offers. */
export const PRESETS = {
  'this-month': 'This month',
  'last-month': 'Last month',
  'last-30': 'Last 30 days',
  'last-90': 'Last 90 days',
} as const;

/** A preset's name. */
export type Preset = keyof typeof PRESETS;

/** The window of a preset on `today`; "this month" and the rolling windows include today. */
export function presetWindow(preset: Preset, today: string): { from: string; to: string } {
  const tomorrow = addDays(today, 1);
  switch (preset) {
    case 'this-month':
      return { from: monthStart(today), to: tomorrow };
    case 'last-month':
      return { from: monthStart(today, -1), to: monthStart(today) };
    case 'last-30':
      return { from: addDays(today, -29), to: tomorrow };
    case 'last-90':
      return { from: addDays(today, -89), to: tomorrow };
  }
}

/**
 * The window to compare with: the same days of the previous month when the window starts on the 1st and fits in
 * one month (so "this month so far" meets "the same days last month"), else the same number of days just before:
 * the rule `tally costs --compare` uses (analytics' previousPeriod), on day strings.
 */
export function previousWindow(w: { from: string; to: string }): { from: string; to: string } {
  if (!(w.to > w.from)) return { from: w.from, to: w.from };
  const p = previousPeriod(new Date(`${w.from}T00:00:00Z`), new Date(`${w.to}T00:00:00Z`));
  return { from: isoDay(p.from), to: isoDay(p.to) };
}

/** A time bucket size, as the costs report's `granularity`. */
export type Granularity = 'day' | 'week' | 'month';

/** The Monday on or before `day` (weeks start on Monday, as the store's date_trunc('week') does). */
export function weekStart(day: string): string {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((dow + 6) % 7));
}

/** The bucket starts of a window: every day, every Monday, or the first of every month it touches. */
export function buckets(w: { from: string; to: string }, granularity: Granularity): string[] {
  const out: string[] = [];
  if (granularity === 'day')
    for (let d = w.from; d < w.to && out.length < 1000; d = addDays(d, 1)) out.push(d);
  else if (granularity === 'week')
    for (let d = weekStart(w.from); d < w.to && out.length < 200; d = addDays(d, 7)) out.push(d);
  else for (let m = monthStart(w.from); m < w.to && out.length < 240; m = monthStart(m, 1)) out.push(m);
  return out;
}

/** "2026-11" as "November 2026". */
export function monthName(day: string): string {
  return new Date(`${day.slice(0, 7)}-01T00:00:00Z`).toLocaleString('en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
