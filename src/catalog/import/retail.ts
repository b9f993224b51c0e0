/**
 * Azure Retail Prices API pages (saved JSON) to list-price records. Accepts one page ({Items, NextPageLink}),
 * an array of pages, or an array of items. Only USD Consumption text-token meters of AI model services are
 * used; everything else is counted in `skipped` by reason. Missing meters stay missing (never zero).
 */
import { TallyError } from '../../core/index.js';
import type { PtuPriceRecord } from '../types.js';
import { parseMeterName, tokensPerUnit } from './_meters.js';
import { groupMeters, isoDay, perMTok, skip, type ImportResult, type MeterPrice } from './_group.js';

type Item = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function itemsOf(json: unknown): Item[] {
  const pages = Array.isArray(json) ? json : [json];
  const items: Item[] = [];
  for (const p of pages) {
    if (p && typeof p === 'object' && Array.isArray((p as Item)['Items']))
      items.push(...((p as Item)['Items'] as Item[]));
    else if (p && typeof p === 'object' && 'meterName' in p) items.push(p as Item);
    else
      throw new TallyError(
        'invalid_input',
        'not Azure Retail Prices API JSON: expected {"Items": [...]} pages or an array of items',
        { field: 'Items' },
      );
  }
  return items;
}

const AI_SERVICES = /foundry models|cognitive services|azure openai/i;

/** Parses retail price pages into list-price records (region kept unless `anyRegion`). */
export function parseRetailPrices(
  json: unknown,
  opts: { source: string; anyRegion?: boolean; importedAt?: string },
): ImportResult {
  const items = itemsOf(json);
  const skipped: Record<string, number> = {};
  const meters: MeterPrice[] = [];
  const ptuRows: PtuPriceRecord[] = [];
  for (const it of items) {
    if (!AI_SERVICES.test(str(it['serviceName'])) && !/openai/i.test(str(it['productName']))) {
      skip(skipped, 'not an AI model service');
      continue;
    }
    const ptu = ptuPrice(it, opts.anyRegion === true, opts.source);
    if (ptu) {
      if ('skip' in ptu) skip(skipped, ptu.skip);
      else ptuRows.push(ptu);
      continue;
    }
    const type = str(it['type'] ?? it['priceType']);
    if (type && type !== 'Consumption') {
      skip(skipped, `price type ${type}`);
      continue;
    }
    // Tiered meters: only the first tier is the list price per token.
    if (Number(it['tierMinimumUnits'] ?? 0) > 0) {
      skip(skipped, 'higher volume tier');
      continue;
    }
    const currency = str(it['currencyCode']) || 'USD';
    if (currency !== 'USD') {
      skip(skipped, `currency ${currency}`);
      continue;
    }
    const perUnit = tokensPerUnit(str(it['unitOfMeasure']));
    if (perUnit === null) {
      skip(skipped, `unit ${str(it['unitOfMeasure'])}`);
      continue;
    }
    let meter = parseMeterName(str(it['meterName']));
    if ('skip' in meter && it['skuName']) {
      const viaSku = parseMeterName(str(it['skuName']));
      if (!('skip' in viaSku)) meter = viaSku;
    }
    if ('skip' in meter) {
      skip(skipped, meter.skip);
      continue;
    }
    const price = it['unitPrice'] ?? it['retailPrice'];
    if (typeof price !== 'number' && typeof price !== 'string') {
      skip(skipped, 'no price');
      continue;
    }
    const region = opts.anyRegion ? undefined : str(it['armRegionName']).toLowerCase() || undefined;
    meters.push({
      ...meter,
      nanosPerMTok: perMTok(price, perUnit),
      region,
      effectiveFrom: isoDay(str(it['effectiveStartDate'])) ?? '1970-01-01',
    });
  }
  const version = `retail-import:${opts.importedAt ?? new Date().toISOString().slice(0, 10)}`;
  const records = groupMeters(meters, { basis: 'list', source: opts.source, version }, skipped);
  return { records, ptu: ptuRows, rows: items.length, skipped };
}

/**
 * PTU meters ("Provisioned Managed Global Unit", sku "Provisioned Managed Data Zone"...): Consumption rows are
 * $/PTU-hour; Reservation rows carry the whole-term price per PTU (1 Month or 1 Year). Null when not a PTU meter.
 */
function ptuPrice(it: Item, anyRegion: boolean, source: string): PtuPriceRecord | { skip: string } | null {
  const text = `${str(it['meterName'])} ${str(it['skuName'])} ${str(it['productName'])}`.toLowerCase();
  if (!/provisioned managed/.test(text)) return null;
  const currency = str(it['currencyCode']) || 'USD';
  if (currency !== 'USD') return { skip: `currency ${currency}` };
  const price = it['unitPrice'] ?? it['retailPrice'];
  if (typeof price !== 'number' && typeof price !== 'string') return { skip: 'no price' };
  const deployment = /global/.test(text)
    ? 'provisioned'
    : /data ?zone/.test(text)
      ? 'data-zone-provisioned'
      : 'regional-provisioned';
  const type = str(it['type'] ?? it['priceType']) || 'Consumption';
  const term = str(it['reservationTerm']).toLowerCase();
  const nanos = perMTok(price, 1_000_000);
  const base = {
    deployment,
    ...(anyRegion || !str(it['armRegionName']) ? {} : { region: str(it['armRegionName']).toLowerCase() }),
    effectiveFrom: isoDay(str(it['effectiveStartDate'])) ?? '1970-01-01',
    source: `${source} (${str(it['meterName']) || str(it['skuName'])})`,
  };
  if (type === 'Consumption' && /hour/i.test(str(it['unitOfMeasure'])))
    return { ...base, hourlyNanos: nanos };
  if (type === 'Reservation' && /month/.test(term)) return { ...base, monthlyNanos: nanos };
  if (type === 'Reservation' && /year/.test(term)) return { ...base, yearlyNanos: nanos };
  return { skip: `PTU meter ${type} ${term || str(it['unitOfMeasure'])}` };
}
