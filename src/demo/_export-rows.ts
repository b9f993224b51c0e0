/**
 * Building blocks of the demo's Azure FOCUS export: the column list, a row with billing/resource/tag columns
 * filled, and pay-as-you-go and hourly lines priced exactly (1e-10 USD) with the EA discount applied.
 */
import { stableId } from '../core/index.js';
import { DEMO_REGION, NEGOTIATED_DISCOUNT_PERCENT, costCenterOf } from './_org.js';
import { decimal, fromNanos, scale, type Deci } from './_money.js';

/** One export line: its CSV columns and its exact amounts (for the summary's totals). */
export interface ExportRow {
  readonly csv: Record<string, string | null>;
  readonly billed: Deci;
  readonly effective: Deci;
  readonly list: Deci;
}

/** Columns of the CSV, in order: FOCUS 1.2 then the Azure x_ columns it carries. */
export const EXPORT_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingAccountType',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'CapacityReservationId',
  'CapacityReservationStatus',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceId',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingCurrency',
  'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost',
  'PricingCurrencyListUnitPrice',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceDetails',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'SubAccountType',
  'Tags',
  'x_ResourceGroupName',
  'x_ResourceType',
  'x_SkuMeterCategory',
  'x_SkuMeterSubcategory',
  'x_PricingBlockSize',
  'x_PricingUnitDescription',
  'x_SkuDescription',
] as const;

/** Milliseconds in a day. */
export const DAY = 86_400_000;
const BILLING_ACCOUNT = '/providers/Microsoft.Billing/billingAccounts/8611537';
/** Subscription ids of the demo's prod and nonprod subscriptions. */
export const SUBSCRIPTIONS: Record<string, string> = {
  prod: '0b1f6e2a-5d3c-4a7e-9f21-6c8d4e3b2a10',
  nonprod: '7c2d9e4f-1a6b-4c3d-8e5f-2b9a7d6c5e41',
};
/** Reservation order of the demo's PTU reservation. */
export const RESERVATION_ORDER = '5a8e3c1d-2b7f-4e9a-a6d4-3f1c8b2e7d90';
/** Share of list paid after the EA discount, in percent (as text for BigInt). */
export const KEEP = (100 - NEGOTIATED_DISCOUNT_PERCENT).toString();

/** YYYY-MM-DD of an epoch-ms instant (UTC). */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** UTC midnight timestamp text of a day. */
export const ts = (day: string) => `${day}T00:00:00Z`;
const nextDay = (day: string) => isoDay(Date.parse(ts(day)) + DAY);
/** First day of the day's month. */
export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
/** First day of the next month. */
export function nextMonth(day: string): string {
  const d = new Date(ts(monthStart(day)));
  return isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}
/** Days in the day's month. */
export const daysInMonth = (day: string) =>
  Math.round((Date.parse(ts(nextMonth(day))) - Date.parse(ts(monthStart(day)))) / DAY);

/** An Azure resource the export bills. */
export interface Resource {
  id: string;
  name: string;
  group: string;
  env: string;
  team: string;
  armType: string;
}

/** The Azure OpenAI account resource `aoai-<team>-<env>`. */
export function aoaiResource(account: string): Resource {
  const [, team = 'platform', env = 'prod'] = account.split('-');
  const group = `rg-${team}-${env}`;
  return {
    id: `/subscriptions/${SUBSCRIPTIONS[env] ?? SUBSCRIPTIONS['prod']!}/resourcegroups/${group}/providers/microsoft.cognitiveservices/accounts/${account}`,
    name: account,
    group,
    env,
    team,
    armType: 'microsoft.cognitiveservices/accounts',
  };
}

/** A row with the billing, period, resource and tag columns filled for one day. */
export function baseRow(day: string, r: Resource): Record<string, string | null> {
  const row: Record<string, string | null> = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, null]));
  const tags: Record<string, string> = { team: r.team, env: r.env, 'cost-center': costCenterOf(r.team) };
  Object.assign(row, {
    BillingAccountId: BILLING_ACCOUNT,
    BillingAccountName: 'Contoso Demo (EA)',
    BillingAccountType: 'Billing Account',
    BillingCurrency: 'USD',
    PricingCurrency: 'USD',
    BillingPeriodStart: ts(monthStart(day)),
    BillingPeriodEnd: ts(nextMonth(day)),
    ChargePeriodStart: ts(day),
    ChargePeriodEnd: ts(nextDay(day)),
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    PricingCategory: 'Standard',
    InvoiceIssuerName: 'Microsoft',
    ProviderName: 'Microsoft',
    PublisherName: 'Microsoft',
    RegionId: DEMO_REGION,
    RegionName: 'East US 2',
    ResourceId: r.id,
    ResourceName: r.name,
    ResourceType: r.armType.endsWith('searchservices') ? 'Search service' : 'Azure AI services',
    SubAccountId: `/subscriptions/${SUBSCRIPTIONS[r.env] ?? SUBSCRIPTIONS['prod']!}`,
    SubAccountName: `contoso-ai-${r.env}`,
    SubAccountType: 'Subscription',
    Tags: JSON.stringify(tags),
    x_ResourceGroupName: r.group,
    x_ResourceType: r.armType,
  });
  return row;
}

/** Fills the price and cost columns of a pay-as-you-go line (EA discount applied) and returns the export row. */
export function payg(
  row: Record<string, string | null>,
  q: {
    quantity: string;
    unitPrice: string;
    contractedUnitPrice: string;
    list: Deci;
    unit: string;
    block: string;
    unitDesc: string;
    consumed: string;
    consumedUnit: string;
  },
): ExportRow {
  const effective = scale(q.list, BigInt(KEEP), 100n);
  Object.assign(row, {
    PricingQuantity: q.quantity,
    PricingUnit: q.unit,
    x_PricingBlockSize: q.block,
    x_PricingUnitDescription: q.unitDesc,
    ConsumedQuantity: q.consumed,
    ConsumedUnit: q.consumedUnit,
    ListUnitPrice: q.unitPrice,
    PricingCurrencyListUnitPrice: q.unitPrice,
    ContractedUnitPrice: q.contractedUnitPrice,
    PricingCurrencyContractedUnitPrice: q.contractedUnitPrice,
    ListCost: decimal(q.list),
    ContractedCost: decimal(effective),
    EffectiveCost: decimal(effective),
    PricingCurrencyEffectiveCost: decimal(effective),
    BilledCost: decimal(effective),
  });
  row['SkuId'] = stableId('sku', row['SkuMeter'] ?? '');
  row['SkuPriceId'] = stableId('skuprice', row['SkuMeter'] ?? '', row['PricingCategory'] ?? '');
  return { csv: row, billed: effective, effective, list: q.list };
}

/** An hourly-metered line (PTU hours, hosting hours, search units), EA discount applied. */
export function hourlyRow(
  day: string,
  r: Resource,
  meter: string,
  hours: number,
  perHourNanos: bigint,
  svc: { name: string; category: string; sub: string; meterCategory: string; meterSub: string },
): ExportRow {
  const row = baseRow(day, r);
  Object.assign(row, {
    ServiceName: svc.name,
    ServiceCategory: svc.category,
    ServiceSubcategory: svc.sub,
    SkuMeter: meter,
    ChargeDescription: `${svc.meterSub} - ${meter}`,
    x_SkuMeterCategory: svc.meterCategory,
    x_SkuMeterSubcategory: svc.meterSub,
    x_SkuDescription: `${svc.meterSub} ${meter}`,
  });
  return payg(row, {
    quantity: String(hours),
    unitPrice: decimal(perHourNanos, 9),
    contractedUnitPrice: decimal(perHourNanos * BigInt(KEEP), 11),
    list: fromNanos(perHourNanos * BigInt(hours)),
    unit: 'Hours',
    block: '1',
    unitDesc: '1 Hour',
    consumed: String(hours),
    consumedUnit: 'Hours',
  });
}

/** Service columns of Azure OpenAI meters. */
export const AOAI_SVC = {
  name: 'Azure AI Services',
  category: 'AI and Machine Learning',
  sub: 'AI Platforms',
  meterCategory: 'Foundry Models',
  meterSub: 'Azure OpenAI',
};
