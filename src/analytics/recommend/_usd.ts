/**
 * Recommendations weigh export charges against the catalog's USD prices, so every cost sum they read is in USD
 * (ADR 0045). The cost queries group by billing currency and charge day; rows billed in another currency are
 * converted at their day's rate (reporting.ratesFile first, then the export's own rates, as allocation does),
 * then summed back per group. A missing rate refuses the report: two currencies are never added.
 */
import {
  nanosToDecimalString,
  parseUsd,
  type AppliedRate,
  type ExchangeRate,
  type ExchangeRates,
  type TimeWindow,
} from '../../core/index.js';
import type { CostStore, Row } from '../../store/index.js';
import { LEDGER_CURRENCY, ratesFor } from '../allocate/index.js';

/** The money columns of the recommendation cost queries (decimal text). */
const MONEY = ['list', 'effective'] as const;

/** Sums cost query rows per group in USD, converting rows billed in another currency; keeps the rates it used. */
export class UsdSums {
  private rates: ExchangeRates | null = null;
  private readonly used = new Map<string, AppliedRate>();

  constructor(
    private readonly store: CostStore,
    private readonly w: TimeWindow,
    private readonly configured: readonly ExchangeRate[],
  ) {}

  /**
   * Rows with `currency`, `day` (ISO) and the money columns, summed per `keys` in USD (`hours` added too). Group
   * order is the rows' order (the queries sort by the keys first).
   */
  async sum(rows: readonly Row[], keys: readonly string[]): Promise<Row[]> {
    const groups = new Map<string, { row: Row; money: Record<string, bigint>; hours: number }>();
    for (const r of rows) {
      const from =
        String(r['currency'] ?? LEDGER_CURRENCY)
          .trim()
          .toUpperCase() || LEDGER_CURRENCY;
      const day = String(r['day'] ?? '').slice(0, 10);
      const k = JSON.stringify(keys.map((c) => r[c] ?? null));
      const g = groups.get(k) ?? { row: r, money: { list: 0n, effective: 0n }, hours: 0 };
      for (const col of MONEY) {
        const v = r[col];
        if (v === null || v === undefined) continue;
        if (from === LEDGER_CURRENCY) g.money[col]! += parseUsd(String(v));
        else {
          this.rates ??= await ratesFor(this.store, this.w, this.configured);
          const { nanos, rate } = this.rates.convert(String(v), from, LEDGER_CURRENCY, day);
          this.used.set(`${rate.from}>${rate.to}@${rate.day}:${rate.source}:${rate.inverse}`, rate);
          g.money[col]! += nanos;
        }
      }
      g.hours += r['hours'] === null || r['hours'] === undefined ? 0 : Number(r['hours']);
      groups.set(k, g);
    }
    return [...groups.values()].map(({ row, money, hours }) => {
      const { currency: _c, day: _d, ...rest } = row;
      return {
        ...rest,
        hours,
        list: nanosToDecimalString(money['list']!),
        effective: nanosToDecimalString(money['effective']!),
      };
    });
  }

  /** Every rate used so far, each once, by day. */
  applied(): AppliedRate[] {
    return [...this.used.values()].sort((a, b) => a.day.localeCompare(b.day) || a.from.localeCompare(b.from));
  }
}

/** SQL columns that split a cost sum by billing currency and charge day (portable: ISO text day). */
export const BY_CURRENCY_DAY = `coalesce("BillingCurrency", '${LEDGER_CURRENCY}') AS currency, date_trunc('day', "ChargePeriodStart") AS day`;
