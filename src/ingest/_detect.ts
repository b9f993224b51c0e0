/**
 * Format detection from a header: FOCUS (1.0 to 1.3, any provider, including Azure's own FOCUS export with x_
 * columns) or Azure Cost Management actual/amortized exports (EA and MCA column sets). Header names are matched
 * by a key that ignores case, spaces, underscores and dashes, so "billed_cost", "Billed Cost" and "billedCost"
 * all read as BilledCost.
 */
import { FOCUS_COLUMN_NAMES } from '../store/index.js';

/** Formats we read. */
export type IngestFormat = 'focus' | 'azure-actual' | 'azure-amortized';
/** What --format accepts. */
export const FORMAT_CHOICES = ['auto', 'focus', 'azure-actual', 'azure-amortized'] as const;

/** A header name reduced to its matching key. */
export const headerKey = (name: string): string => name.toLowerCase().replace(/[\s_\-.]/g, '');

/** Older FOCUS names (0.5, 1.0-preview) and Azure FOCUS-export x_ names that map onto FOCUS 1.2 columns. */
const FOCUS_ALIASES: Record<string, string> = {
  usagequantity: 'ConsumedQuantity',
  usageunit: 'ConsumedUnit',
  amortizedcost: 'EffectiveCost',
  chargetype: 'ChargeCategory',
  xskumetername: 'SkuMeter',
  xinvoiceid: 'InvoiceId',
  xskudetails: 'SkuPriceDetails',
  // A few localized headers seen in portal downloads (German, French, Spanish).
  kosten: 'BilledCost',
  coût: 'BilledCost',
  costo: 'BilledCost',
};

const FOCUS_BY_KEY = new Map(FOCUS_COLUMN_NAMES.map((n) => [headerKey(n), n]));

/** One source column and the canonical name it is read as. */
export interface MappedColumn {
  /** Name as it appears in the file. */
  readonly source: string;
  /** Unique, SQL-safe staging name. */
  readonly staged: string;
  /** FOCUS column it fills, or null if it is a vendor column kept in x_Extra. */
  readonly focus: string | null;
  /** Name used in x_Extra (x_-prefixed). */
  readonly extraName: string;
}

/** Maps FOCUS-file headers onto canonical columns; the first header wins when two map to one column. */
export function mapFocusHeaders(headers: readonly string[]): MappedColumn[] {
  const taken = new Set<string>();
  return headers.map((source, i) => {
    const key = headerKey(source);
    let focus = FOCUS_BY_KEY.get(key) ?? FOCUS_ALIASES[key] ?? null;
    if (focus && taken.has(focus)) focus = null;
    if (focus) taken.add(focus);
    const extraName = /^x_/i.test(source) ? source : `x_${source.replace(/\s+/g, '')}`;
    return { source, staged: `c${i}`, focus, extraName };
  });
}

/** FOCUS version implied by which columns a file has. */
export function focusVersionOf(headers: readonly string[]): string {
  const keys = new Set(headers.map(headerKey));
  const has = (...names: string[]) => names.some((n) => keys.has(headerKey(n)));
  if (has('AllocatedMethodId', 'ServiceProviderName', 'HostProviderName', 'ContractApplied')) return '1.3';
  if (has('InvoiceId', 'BillingAccountType', 'PricingCurrency', 'SubAccountType')) return '1.2';
  if (has('ServiceSubcategory', 'CommitmentDiscountQuantity', 'SkuMeter', 'CapacityReservationId'))
    return '1.1';
  if (has('ChargeCategory', 'ConsumedQuantity')) return '1.0';
  return '1.0-preview';
}

/** Azure legacy export key columns (EA and MCA spellings). */
const AZURE_COST = ['cost', 'costinbillingcurrency'];
const AZURE_METER = ['metercategory', 'metername', 'meterid'];
const AZURE_DATE = ['date', 'usagedatetime', 'usagedate'];

/** Detects the format of a file from its headers (and name, for actual vs amortized); null if unknown. */
export function detectFormat(headers: readonly string[], fileName: string): IngestFormat | null {
  const keys = new Set(headers.map(headerKey));
  const focus = new Set(mapFocusHeaders(headers).map((m) => m.focus));
  if (focus.has('BilledCost') && (focus.has('ChargePeriodStart') || focus.has('EffectiveCost')))
    return 'focus';
  if (
    AZURE_COST.some((k) => keys.has(k)) &&
    AZURE_METER.some((k) => keys.has(k)) &&
    AZURE_DATE.some((k) => keys.has(k))
  ) {
    const name = fileName.toLowerCase();
    if (/amorti[sz]/.test(name)) return 'azure-amortized';
    // Actual unless the name says otherwise; the rows can still reveal amortization (see azureDatasetFromRows).
    return 'azure-actual';
  }
  return null;
}
