/**
 * The costs report in the reporting currency (ADR 0030): each group's amounts converted day by day at the rate in
 * effect on the day, then summed, so a group's converted amount and the report's converted total are exact and
 * follow the one rounding rule (half to even at the nano, per day and currency).
 */
import {
  TallyError,
  nanosToDecimalString,
  type AppliedRate,
  type ExchangeRates,
  type Nanos,
} from '../core/index.js';
import type { CostReportQuery, CostStore } from '../store/index.js';

/** What to convert into, and with which rates. */
export interface CostsConversion {
  readonly currency: string;
  readonly rates: ExchangeRates;
}

/** Converted amounts of one group, or the rate that is missing for it. */
export interface ConvertedGroup {
  readonly billed: Nanos;
  readonly effective: Nanos;
  readonly list: Nanos;
  readonly missing: string | null;
}

const MONDAY_OFFSET = (d: Date) => (d.getUTCDay() + 6) % 7;

/** The start (YYYY-MM-DD) of the day's bucket, as the store's date_trunc buckets it (ISO weeks start Monday). */
function bucketOf(day: string, g: CostReportQuery['granularity']): string {
  if (g === 'month') return `${day.slice(0, 7)}-01`;
  if (g === 'week') {
    const d = new Date(`${day}T00:00:00Z`);
    return new Date(d.getTime() - MONDAY_OFFSET(d) * 86_400_000).toISOString().slice(0, 10);
  }
  return day;
}

/**
 * Converted amounts per group key (the JSON of the group's values in the report's column order) and the rates
 * used. `by` must be the same list the report ran with (BillingCurrency included).
 */
export async function convertGroups(
  store: CostStore,
  q: CostReportQuery,
  by: readonly string[],
  conv: CostsConversion,
): Promise<{ groups: Map<string, ConvertedGroup>; rates: AppliedRate[] }> {
  const daily = await store.costReport({ ...q, by, granularity: 'day' });
  const groups = new Map<string, { billed: Nanos; effective: Nanos; list: Nanos; missing: string | null }>();
  const used = new Map<string, AppliedRate>();
  const ci = by.findIndex((b) => b.toLowerCase() === 'billingcurrency');
  for (const r of daily) {
    const values = r.dims.map(([, v]) => v);
    const day = String(values[0]);
    const rest = values.slice(1);
    const key = JSON.stringify(q.granularity ? [bucketOf(day, q.granularity), ...rest] : rest);
    const g = groups.get(key) ?? { billed: 0n, effective: 0n, list: 0n, missing: null };
    groups.set(key, g);
    const from = String(rest[ci] ?? 'USD').toUpperCase();
    const rate = conv.rates.find(from, conv.currency, day);
    if (!rate) {
      g.missing ??= `${from}→${conv.currency} on ${day}`;
      continue;
    }
    if (rate.source !== 'identity') used.set(`${rate.from}>${rate.to}@${rate.day}:${rate.source}`, rate);
    g.billed += conv.rates.convert(r.billed, from, conv.currency, day).nanos;
    g.effective += conv.rates.convert(r.effective, from, conv.currency, day).nanos;
    g.list += conv.rates.convert(r.list, from, conv.currency, day).nanos;
  }
  return { groups, rates: [...used.values()].sort((a, b) => a.day.localeCompare(b.day)) };
}

/** The converted total of every group, or a refusal naming the first missing rate. */
export function convertedTotal(groups: Iterable<ConvertedGroup>, currency: string): Record<string, string> {
  let billed = 0n;
  let effective = 0n;
  let list = 0n;
  for (const g of groups) {
    if (g.missing)
      throw new TallyError(
        'conflict',
        `no exchange rate ${g.missing}: Tally does not add different currencies; add it to reporting.ratesFile (date,from,to,rate)`,
        { missing: g.missing },
      );
    billed += g.billed;
    effective += g.effective;
    list += g.list;
  }
  return {
    currency,
    billedCost: nanosToDecimalString(billed),
    effectiveCost: nanosToDecimalString(effective),
    listCost: nanosToDecimalString(list),
  };
}
