/**
 * Azure EA / MCA price sheet CSV (Cost Management export, 2023-05-01 schema) to effective-price records.
 * `UnitPrice` is the negotiated price (effective), `MarketPrice` the list price. Column names are matched
 * case-insensitively; EA says `MeterRegion`/`CurrencyCode`, MCA `Currency`/`BillingCurrency`.
 */
import { TallyError, parseCsv } from '../../core/index.js';
import { parseMeterName, tokensPerUnit } from './_meters.js';
import { groupMeters, isoDay, perMTok, skip, type ImportResult, type MeterPrice } from './_group.js';

/** Parses a price sheet CSV into effective-price records (region-less: negotiated rates apply everywhere). */
export function parsePriceSheetCsv(
  text: string,
  opts: { source: string; importedAt?: string },
): ImportResult {
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
    const currency = at(r, c.currency) || 'USD';
    if (currency.toUpperCase() !== 'USD') {
      skip(skipped, `currency ${currency}`);
      continue;
    }
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
    meters.push({
      ...meter,
      nanosPerMTok: perMTok(price, perUnit),
      region: undefined,
      effectiveFrom: isoDay(at(r, c.start)) ?? '1970-01-01',
    });
  }
  const version = `pricesheet:${opts.importedAt ?? new Date().toISOString().slice(0, 10)}`;
  return {
    records: groupMeters(meters, { basis: 'effective', source: opts.source, version }, skipped),
    ptu: [],
    rows: rows.length - 1,
    skipped,
  };
}
