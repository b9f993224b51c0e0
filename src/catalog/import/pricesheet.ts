/**
 * Azure EA / MCA price sheet CSV (Cost Management export, 2023-05-01 schema) to effective-price records.
 * `UnitPrice` is the negotiated price (effective), `MarketPrice` the list price. Column names are matched
 * case-insensitively; EA says `MeterRegion`/`CurrencyCode`, MCA `Currency`/`BillingCurrency`. A sheet in another
 * currency is converted to USD (the catalog's currency) at the rate in effect on each price's start date; a
 * missing rate refuses the import, naming it (ADR 0030).
 */
import { ExchangeRates, TallyError, convertNanos, parseCsv, type AppliedRate } from '../../core/index.js';
import { parseMeterName, tokensPerUnit } from './_meters.js';
import { groupMeters, isoDay, perMTok, skip, type ImportResult, type MeterPrice } from './_group.js';

/** Parses a price sheet CSV into effective-price records (region-less: negotiated rates apply everywhere). */
export function parsePriceSheetCsv(
  text: string,
  opts: { source: string; importedAt?: string; rates?: ExchangeRates },
): ImportResult & { exchangeRates: AppliedRate[] } {
  const rates = opts.rates ?? new ExchangeRates([]);
  const used = new Map<string, AppliedRate>();
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) =>
    names.map((n) => header.indexOf(n.toLowerCase())).find((i) => i >= 0) ?? -1;
  const c = {
    meter: col('MeterName', 'meter_name'),
    sub: col('MeterSubCategory'),
    product: col('Product', 'ProductName'),
    unit: col('UnitOfMeasure'),
    price: col('UnitPrice', 'EffectiveUnitPrice'),
    start: col('EffectiveStartDate'),
    currency: col('CurrencyCode', 'Currency', 'BillingCurrency'),
    priceType: col('PriceType'),
  };
  if (c.meter < 0 || c.price < 0 || c.unit < 0)
    throw new TallyError(
      'invalid_input',
      'not an Azure price sheet CSV: needs MeterName, UnitOfMeasure and UnitPrice columns',
      {
        field: c.meter < 0 ? 'MeterName' : c.unit < 0 ? 'UnitOfMeasure' : 'UnitPrice',
      },
    );
  const skipped: Record<string, number> = {};
  const meters: MeterPrice[] = [];
  const at = (r: string[], i: number) => (i >= 0 ? (r[i] ?? '').trim() : '');
  for (const r of rows.slice(1)) {
    const pt = at(r, c.priceType);
    if (pt && pt.toLowerCase() !== 'consumption') {
      skip(skipped, `price type ${pt}`);
      continue;
    }
    const currency = (at(r, c.currency) || 'USD').toUpperCase();
    const perUnit = tokensPerUnit(at(r, c.unit));
    if (perUnit === null) {
      skip(skipped, `unit ${at(r, c.unit)}`);
      continue;
    }
    const context = `${at(r, c.product)} ${at(r, c.sub)}`;
    if (!/openai|foundry|gpt|model/i.test(context + at(r, c.meter))) {
      skip(skipped, 'not an AI model meter');
      continue;
    }
    const meter = parseMeterName(at(r, c.meter));
    if ('skip' in meter) {
      skip(skipped, meter.skip);
      continue;
    }
    const price = at(r, c.price);
    if (!/^[+-]?[\d.]+([eE][+-]?\d+)?$/.test(price)) {
      skip(skipped, 'no price');
      continue;
    }
    const effectiveFrom = isoDay(at(r, c.start)) ?? '1970-01-01';
    let nanosPerMTok = perMTok(price, perUnit);
    if (currency !== 'USD') {
      const rate = rates.require(currency, 'USD', isoDay(at(r, c.start)) ?? opts.importedAt ?? isoToday());
      used.set(`${rate.from}@${rate.day}:${rate.source}`, rate);
      nanosPerMTok = convertNanos(nanosPerMTok, rate.rate, rate.inverse);
    }
    meters.push({ ...meter, nanosPerMTok, region: undefined, effectiveFrom });
  }
  const version = `pricesheet:${opts.importedAt ?? new Date().toISOString().slice(0, 10)}`;
  return {
    records: groupMeters(
      meters,
      { basis: 'effective', source: sourceWith(opts.source, used), version },
      skipped,
    ),
    ptu: [],
    rows: rows.length - 1,
    skipped,
    exchangeRates: [...used.values()],
  };
}

const isoToday = () => new Date().toISOString().slice(0, 10);

// The records say which rate made them USD, so a price is never shown without where its conversion came from.
function sourceWith(source: string, used: ReadonlyMap<string, AppliedRate>): string {
  if (used.size === 0) return source;
  const each = [...used.values()].map(
    (r) => `${r.from}→USD ${r.inverse ? `1/${r.rate}` : r.rate} (${r.source}, ${r.day})`,
  );
  return `${source}, converted at ${each.join(', ')}`;
}
