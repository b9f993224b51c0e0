/**
 * Budget status: spend to date, forecast at period end with its own interval (forecast of the remaining days'
 * total, not a sum of daily bands), and which thresholds on actual and on forecast spend are crossed.
 */
import { TallyError, nanosToUsd, type Nanos } from '../../core/index.js';
import { FORECAST_HISTORY_DAYS, forecastSplit } from '../basis/index.js';

/** Budget period kinds (UTC calendar periods, or custom start/end). */
export const BUDGET_PERIODS = ['day', 'week', 'month', 'quarter', 'year', 'custom'] as const;
/** A budget period kind. */
export type BudgetPeriodKind = (typeof BUDGET_PERIODS)[number];

/** A budget definition (from tally.yaml or `tally budgets set`). */
export interface BudgetDef {
  readonly id: string;
  readonly scope: 'all' | 'team' | 'app' | 'cost_center' | 'key' | 'model';
  readonly value: string | null;
  readonly period: BudgetPeriodKind;
  readonly start?: string | null | undefined;
  readonly end?: string | null | undefined;
  readonly amountNanos: Nanos;
  /** Percent thresholds on actual spend and on forecast (p50) spend at period end. */
  readonly actual: readonly number[];
  readonly forecast: readonly number[];
  readonly hard: boolean;
  readonly source: 'config' | 'store';
}

/** One crossed threshold. */
export interface CrossedThreshold {
  readonly type: 'actual' | 'forecast';
  readonly percent: number;
}

/** The status of one budget. */
export interface BudgetStatus {
  readonly id: string;
  readonly scope: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly amountUsd: number;
  readonly spentUsd: number;
  readonly spentPct: number;
  readonly forecastUsd: number;
  readonly forecastP10Usd: number;
  readonly forecastP90Usd: number;
  /** The committed part of the forecast (known schedule: PTU hours, reservations, hosting), in it already. */
  readonly forecastCommittedUsd: number;
  /** export: the cost export (as chargeback), ledger-priced after `exportThrough`; ledger: gateway usage only. */
  readonly basis: 'export' | 'ledger';
  readonly metric: 'amortized' | 'billed';
  /** Last UTC day the export covers, or null. */
  readonly exportThrough: string | null;
  /** The part of spentUsd that is ledger-priced usage (days past the export, or all of it on the ledger basis). */
  readonly ledgerFilledUsd: number;
  readonly crossed: CrossedThreshold[];
  readonly hard: boolean;
  readonly exceeded: boolean;
  /** The currency every `...Usd` amount is in (reporting.currency; the names predate it, ADR 0030). */
  readonly currency?: string;
}

const DAY = 86_400_000;

/** The [start, end) of the budget's period containing `now`. */
export function budgetPeriod(b: BudgetDef, now: Date): { start: Date; end: Date } {
  if (b.period === 'custom') {
    if (!b.start || !b.end)
      throw new TallyError('invalid_config', `budget ${b.id}: a custom period needs start and end`, {
        budget: b.id,
      });
    return {
      start: new Date(`${b.start.slice(0, 10)}T00:00:00Z`),
      end: new Date(`${b.end.slice(0, 10)}T00:00:00Z`),
    };
  }
  const y = now.getUTCFullYear();
  const mo = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (b.period) {
    case 'day':
      return { start: new Date(Date.UTC(y, mo, d)), end: new Date(Date.UTC(y, mo, d + 1)) };
    case 'week': {
      // ISO weeks: Monday 00:00 UTC.
      const back = (now.getUTCDay() + 6) % 7;
      return { start: new Date(Date.UTC(y, mo, d - back)), end: new Date(Date.UTC(y, mo, d - back + 7)) };
    }
    case 'month':
      return { start: new Date(Date.UTC(y, mo, 1)), end: new Date(Date.UTC(y, mo + 1, 1)) };
    case 'quarter':
      return {
        start: new Date(Date.UTC(y, mo - (mo % 3), 1)),
        end: new Date(Date.UTC(y, mo - (mo % 3) + 3, 1)),
      };
    case 'year':
      return { start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y + 1, 0, 1)) };
  }
}

/** What the spend stands on (from the cost basis); absent for a ledger-only series. */
export interface BudgetBasis {
  /** The committed (time- or capacity-billed) part of each day's spend. */
  readonly committed: ReadonlyMap<number, Nanos>;
  /** The monthly-commitment part of committed (reservations), fixed per month. */
  readonly commitment?: ReadonlyMap<number, Nanos>;
  /** Exclusive end (epoch ms) of the days the export billed, or null. */
  readonly exportEnd: number | null;
  readonly basis: 'export' | 'ledger';
  readonly metric: 'amortized' | 'billed';
  /** Last day the export covers (YYYY-MM-DD), or null. */
  readonly exportThrough: string | null;
}

/**
 * Computes status from exact daily spend (day start ms -> nanos, history before the period included so the
 * forecast sees seasonality). Today counts as spent so far; the forecast covers today's rest and later days:
 * committed cost by its schedule (also for days the export has not billed yet) plus variable cost forecast.
 */
export function budgetStatus(
  b: BudgetDef,
  daily: ReadonlyMap<number, Nanos>,
  now: Date,
  on?: BudgetBasis,
  holidays: readonly number[] = [],
): BudgetStatus {
  const { start, end } = budgetPeriod(b, now);
  const today = Math.floor(now.getTime() / DAY) * DAY;
  let spent = 0n;
  let spentBeforeToday = 0n;
  let filled = 0n;
  for (const [day, n] of daily) {
    if (day >= start.getTime() && day < end.getTime() && day <= now.getTime()) {
      spent += n;
      if (day < today) spentBeforeToday += n;
      if (on?.exportEnd !== undefined && (on.exportEnd === null || day >= on.exportEnd)) filled += n;
    }
  }
  // The forecast learns from the same window as `tally forecast` (FORECAST_HISTORY_DAYS before today).
  const days = [...daily.keys()].filter((d) => d < today && d >= today - FORECAST_HISTORY_DAYS * DAY);
  const first = days.length ? Math.min(...days) : today;
  const endMs = end.getTime();
  const remainingDays = Math.max(0, Math.ceil((endMs - Math.max(today, start.getTime())) / DAY));
  let fc = { p10: 0, p50: 0, p90: 0 };
  let committedUsd = 0;
  if (remainingDays > 0 && now.getTime() < endMs) {
    const f = forecastSplit(
      {
        total: daily,
        committed: on?.committed ?? new Map(),
        ...(on?.commitment ? { commitment: on.commitment } : {}),
        historyFrom: first,
        today,
        exportEnd: on?.exportEnd ?? null,
      },
      Math.max(today, start.getTime()),
      remainingDays,
      start.getTime(),
      holidays,
    );
    // Committed cost of past days in the period that the export has not billed yet is still to come.
    const pending = today > start.getTime() ? f.pendingCommittedUsd : 0;
    committedUsd = f.committedUsd + pending;
    fc = { p10: f.total.p10 + pending, p50: f.total.p50 + pending, p90: f.total.p90 + pending };
  }
  const before = today >= start.getTime() ? nanosToUsd(spentBeforeToday) : 0;
  const spentUsd = nanosToUsd(spent);
  // Today is already partly spent: the forecast total never goes below spend so far.
  const atLeast = (v: number) => Math.max(spentUsd, before + v);
  const closed = now.getTime() >= endMs;
  const forecastUsd = closed ? spentUsd : atLeast(fc.p50);
  const amountUsd = nanosToUsd(b.amountNanos);
  const crossed: CrossedThreshold[] = [
    ...b.actual
      .filter((p) => spent * 100n >= b.amountNanos * BigInt(Math.round(p)))
      .map((percent) => ({ type: 'actual' as const, percent })),
    ...b.forecast
      .filter((p) => forecastUsd >= (amountUsd * p) / 100)
      .map((percent) => ({ type: 'forecast' as const, percent })),
  ];
  return {
    id: b.id,
    scope: b.scope === 'all' ? 'all' : `${b.scope}=${b.value ?? ''}`,
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    amountUsd,
    spentUsd,
    spentPct: amountUsd > 0 ? (spentUsd / amountUsd) * 100 : 0,
    forecastUsd,
    forecastP10Usd: closed ? spentUsd : atLeast(fc.p10),
    forecastP90Usd: closed ? spentUsd : atLeast(fc.p90),
    forecastCommittedUsd: closed ? 0 : committedUsd,
    basis: on?.basis ?? 'ledger',
    metric: on?.metric ?? 'amortized',
    exportThrough: on?.exportThrough ?? null,
    ledgerFilledUsd: nanosToUsd(on ? filled : spent),
    crossed,
    hard: b.hard,
    exceeded: spent >= b.amountNanos,
  };
}
