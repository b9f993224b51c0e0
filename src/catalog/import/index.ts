/** Price imports: Azure Retail Prices API pages and EA/MCA price sheets, and their JSON form for storage. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { TallyError, nanosToDecimalString, parseUsd, type ExchangeRates } from '../../core/index.js';
import { parsePriceSheetCsv } from './pricesheet.js';
import { addPtuRecords, addRecords, clearRegistered } from '../_registry.js';
import type { PriceRecord, PtuPriceRecord } from '../types.js';

export { parseRetailPrices } from './retail.js';
export { parsePriceSheetCsv } from './pricesheet.js';
export { parseMeterName } from './_meters.js';
export type { ImportResult } from './_group.js';

/** kv namespace and key under which `tally prices import` keeps imported records. */
export const PRICE_IMPORTS_META = { namespace: 'catalog', key: 'price-imports' } as const;

/** A price record with prices as decimal strings (USD per 1M tokens), for JSON storage. */
export type StoredPriceRecord = Omit<
  PriceRecord,
  'inputNanosPerMTok' | 'cachedInputNanosPerMTok' | 'outputNanosPerMTok' | 'cacheWriteNanosPerMTok'
> & {
  input: string;
  cachedInput: string | null;
  output: string;
  cacheWrite: string | null;
};

/** Converts records to their JSON-safe stored form. */
export function toStoredRecords(records: readonly PriceRecord[]): StoredPriceRecord[] {
  return records.map(
    ({
      inputNanosPerMTok,
      cachedInputNanosPerMTok,
      outputNanosPerMTok,
      cacheWriteNanosPerMTok,
      ...rest
    }) => ({
      ...rest,
      input: nanosToDecimalString(inputNanosPerMTok),
      cachedInput: cachedInputNanosPerMTok === null ? null : nanosToDecimalString(cachedInputNanosPerMTok),
      output: nanosToDecimalString(outputNanosPerMTok),
      cacheWrite: cacheWriteNanosPerMTok == null ? null : nanosToDecimalString(cacheWriteNanosPerMTok),
    }),
  );
}

/** Converts stored records back to exact price records. */
export function fromStoredRecords(stored: readonly StoredPriceRecord[]): PriceRecord[] {
  return stored.map(({ input, cachedInput, output, cacheWrite, ...rest }) => ({
    ...rest,
    inputNanosPerMTok: parseUsd(input),
    cachedInputNanosPerMTok: cachedInput === null ? null : parseUsd(cachedInput),
    outputNanosPerMTok: parseUsd(output),
    cacheWriteNanosPerMTok: cacheWrite === null ? null : parseUsd(cacheWrite),
  }));
}

/** Makes imported records visible to lookups in this process (later registrations win ties). */
export function registerPrices(records: readonly PriceRecord[]): void {
  addRecords(records);
}

/** Removes every registered import from this process, keeping the built-in catalog. */
export function clearRegisteredPrices(): void {
  clearRegistered();
}

/** A PTU price with amounts as decimal strings (USD per PTU), for JSON storage. */
export type StoredPtuRecord = Omit<PtuPriceRecord, 'hourlyNanos' | 'monthlyNanos' | 'yearlyNanos'> & {
  hourly?: string;
  monthly?: string;
  yearly?: string;
};

/** Converts PTU prices to their stored form. */
export function toStoredPtu(rows: readonly PtuPriceRecord[]): StoredPtuRecord[] {
  return rows.map(({ hourlyNanos, monthlyNanos, yearlyNanos, ...rest }) => ({
    ...rest,
    ...(hourlyNanos !== undefined ? { hourly: nanosToDecimalString(hourlyNanos) } : {}),
    ...(monthlyNanos !== undefined ? { monthly: nanosToDecimalString(monthlyNanos) } : {}),
    ...(yearlyNanos !== undefined ? { yearly: nanosToDecimalString(yearlyNanos) } : {}),
  }));
}

/** Converts stored PTU prices back. */
export function fromStoredPtu(rows: readonly StoredPtuRecord[]): PtuPriceRecord[] {
  return rows.map(({ hourly, monthly, yearly, ...rest }) => ({
    ...rest,
    ...(hourly !== undefined ? { hourlyNanos: parseUsd(hourly) } : {}),
    ...(monthly !== undefined ? { monthlyNanos: parseUsd(monthly) } : {}),
    ...(yearly !== undefined ? { yearlyNanos: parseUsd(yearly) } : {}),
  }));
}

/** Makes imported PTU prices visible to lookupPtuSpec in this process. */
export function registerPtuPrices(rows: readonly PtuPriceRecord[]): void {
  addPtuRecords(rows);
}

/** One import as `tally prices import` stores it under PRICE_IMPORTS_META. */
export interface StoredImport {
  id: string;
  file: string;
  kind: 'retail' | 'pricesheet';
  importedAt: string;
  records: StoredPriceRecord[];
  ptu?: StoredPtuRecord[];
}

/** The imports inside a stored kv value (empty when absent or malformed). */
export function storedImports(value: unknown): StoredImport[] {
  return value && typeof value === 'object' && Array.isArray((value as { imports?: unknown }).imports)
    ? (value as { imports: StoredImport[] }).imports
    : [];
}

/**
 * Registers every import in the kv value `store.getMeta(PRICE_IMPORTS_META.namespace, PRICE_IMPORTS_META.key)`
 * so lookups in this process (gateway, API) see imported list, effective and PTU prices. Returns the count.
 */
export function registerStoredImports(value: unknown): number {
  let n = 0;
  for (const imp of storedImports(value)) {
    const recs = fromStoredRecords(imp.records);
    addRecords(recs);
    addPtuRecords(fromStoredPtu(imp.ptu ?? []));
    n += recs.length;
  }
  return n;
}

/**
 * Registers, for this process, the effective prices of an EA/MCA price sheet file named in `pricing.priceSheet`.
 * Returns how many price records it added.
 */
export function registerPriceSheetFile(path: string, rates?: ExchangeRates): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TallyError('invalid_config', `pricing.priceSheet ${path}: ${(err as Error).message}`, {
      field: 'pricing.priceSheet',
    });
  }
  const r = parsePriceSheetCsv(text, {
    source: `price sheet ${basename(path)}`,
    ...(rates ? { rates } : {}),
  });
  registerPrices(r.records);
  return r.records.length;
}
