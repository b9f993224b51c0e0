/**
 * One reporting currency for the cost basis (ADR 0030). Export rows billed in another currency are converted at
 * the rate in effect on their charge day; ledger usage (priced in USD by the gateway's catalog) is converted when
 * the reporting currency is not USD. A missing rate refuses the report; amounts are never added unconverted.
 */
import {
  ExchangeRates,
  nanosToDecimalString,
  parseRate,
  parseUsd,
  type AppliedRate,
  type ExchangeRate,
  type Nanos,
  type TimeWindow,
} from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { loadCostGroups } from './_queries.js';
import type { ConsumerUsage, CostRow } from './_types.js';

/** The currency a period's amounts are in, and every rate used to get them there (empty: nothing converted). */
export interface CurrencyInfo {
  readonly currency: string;
  readonly rates: readonly AppliedRate[];
}

/** The currency the gateway's catalog prices (and so the ledger) are in. */
export const LEDGER_CURRENCY = 'USD';
// FOCUS leaves BillingCurrency mandatory; a row without one is read as the ledger's currency (export/focus too).
const currencyOf = (r: CostRow) => (r.values['BillingCurrency'] ?? LEDGER_CURRENCY).trim().toUpperCase();
const MONEY = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;

/** Collects the rates conversions used, each once. */
export class RateLog {
  private readonly seen = new Map<string, AppliedRate>();
  add(r: AppliedRate): void {
    if (r.source === 'identity') return;
    this.seen.set(`${r.from}>${r.to}@${r.day}:${r.source}:${r.inverse}`, r);
  }
  list(): AppliedRate[] {
    return [...this.seen.values()].sort((a, b) => a.day.localeCompare(b.day) || a.from.localeCompare(b.from));
  }
}

/** Configured rates first (they win a tie), then those the window's export rows carry. */
export async function ratesFor(
  store: CostStore,
  w: TimeWindow,
  configured: readonly ExchangeRate[],
): Promise<ExchangeRates> {
  const fromExport: ExchangeRate[] = [];
  for (const r of await store.exportExchangeRates(w)) {
    try {
      parseRate(r.rate);
    } catch {
      continue; // an unreadable rate is no rate: a report that needs it refuses, naming the pair
    }
    fromExport.push({
      day: r.day,
      from: r.pricingCurrency,
      to: r.billingCurrency,
      rate: r.rate,
      source: 'export',
    });
  }
  return new ExchangeRates([...configured, ...fromExport]);
}

/** True when some row is billed in a currency other than `currency`. */
export function needsConversion(rows: readonly CostRow[], currency: string): boolean {
  return rows.some((r) => currencyOf(r) !== currency);
}

/** Each row's money columns in `currency` at the rate of its charge day; rows already in it are kept as they are. */
export function convertRows(
  rows: readonly CostRow[],
  currency: string,
  rates: ExchangeRates,
  log: RateLog,
): CostRow[] {
  return rows.map((r) => {
    const from = currencyOf(r);
    if (from === currency) return r;
    const day = (r.values['ChargePeriodStart'] ?? '').slice(0, 10);
    const values: Record<string, string | null> = { ...r.values, BillingCurrency: currency };
    for (const col of MONEY) {
      const v = r.values[col];
      if (v === null || v === undefined) continue;
      const { nanos, rate } = rates.convert(v, from, currency, day);
      log.add(rate);
      values[col] = nanosToDecimalString(nanos);
    }
    return { index: r.index, values };
  });
}

/**
 * Daily groups (already converted) summed back into one row per group, as the store's monthly groups would be:
 * the first day as ChargePeriodStart, a money sum null when any day's is (as in SQL), row counts added.
 */
export function collapseDays(daily: readonly CostRow[]): CostRow[] {
  const skip = new Set<string>(['ChargePeriodStart', '_rows', ...MONEY]);
  const groups = new Map<
    string,
    { values: Record<string, string | null>; sums: Map<string, Nanos | null> }
  >();
  for (const r of daily) {
    const key = JSON.stringify(Object.entries(r.values).filter(([k]) => !skip.has(k)));
    let g = groups.get(key);
    if (!g) {
      g = { values: { ...r.values, _rows: '0' }, sums: new Map(MONEY.map((c) => [c, 0n])) };
      groups.set(key, g);
    }
    const start = r.values['ChargePeriodStart'] ?? '';
    if (start < (g.values['ChargePeriodStart'] ?? start)) g.values['ChargePeriodStart'] = start;
    g.values['_rows'] = String(Number(g.values['_rows']) + Number(r.values['_rows'] ?? 1));
    for (const col of MONEY) {
      const had = g.sums.get(col);
      const v = r.values[col];
      g.sums.set(
        col,
        had === null || had === undefined || v === null || v === undefined ? null : had + parseUsd(v),
      );
    }
  }
  return [...groups.values()].map((g, index) => {
    const values = { ...g.values };
    for (const col of MONEY) {
      const s = g.sums.get(col);
      values[col] = s === null || s === undefined ? null : nanosToDecimalString(s);
    }
    return { index, values };
  });
}

/** Ledger usage (USD) in `currency` at the rate in effect on the window's first day (`day`). */
export function convertUsage(
  usage: readonly ConsumerUsage[],
  currency: string,
  day: string,
  rates: ExchangeRates,
  log: RateLog,
): ConsumerUsage[] {
  if (currency === LEDGER_CURRENCY || usage.every((u) => u.costNanos === 0n && u.listCostNanos === 0n))
    return [...usage];
  const rate = rates.require(LEDGER_CURRENCY, currency, day);
  log.add(rate);
  const conv = (n: Nanos) => rates.convert(n, LEDGER_CURRENCY, currency, day).nanos;
  return usage.map((u) => ({ ...u, costNanos: conv(u.costNanos), listCostNanos: conv(u.listCostNanos) }));
}

/**
 * The export's cost groups of a window, every amount in `currency` (ADR 0041: reconciliation compares them with
 * the ledger, which is in USD). Without a row in another currency the store's groups are returned as they are;
 * otherwise the window is read by day, each day converted at its rate, and (unless `byDay`) summed back per
 * group. A missing rate refuses (`conflict`), as every report on the cost basis does.
 */
export async function loadCostGroupsIn(
  store: CostStore,
  w: TimeWindow,
  currency: string,
  configured: readonly ExchangeRate[],
  opts: { byDay?: boolean } = {},
): Promise<{ rows: CostRow[]; rates: AppliedRate[] }> {
  const rows = await loadCostGroups(store, w, [], opts);
  if (!needsConversion(rows, currency)) return { rows, rates: [] };
  const log = new RateLog();
  const daily = opts.byDay ? rows : await loadCostGroups(store, w, [], { byDay: true });
  const converted = convertRows(daily, currency, await ratesFor(store, w, configured), log);
  return { rows: opts.byDay ? converted : collapseDays(converted), rates: log.list() };
}
