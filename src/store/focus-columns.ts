/**
 * The canonical cost model: FOCUS 1.2 columns, FOCUS 1.3's allocation and provider columns (nullable), and
 * Tally's `x_Ai*` classification columns. Ingest, export, validation and every backend read this one list.
 */

/** Logical column type; each backend maps it to a physical type. */
export type FocusType = 'string' | 'money' | 'price' | 'quantity' | 'datetime' | 'json';

/** One canonical cost column. */
export interface FocusColumn {
  readonly name: string;
  readonly type: FocusType;
  /** FOCUS version that introduced it, or 'tally' for our own x_ columns. */
  readonly since: '1.0' | '1.1' | '1.2' | '1.3' | 'tally';
}

const c = (name: string, type: FocusType, since: FocusColumn['since'] = '1.0'): FocusColumn => ({
  name,
  type,
  since,
});

/** FOCUS columns we store, in a stable order. */
export const FOCUS_COLUMNS: readonly FocusColumn[] = [
  c('AvailabilityZone', 'string'),
  c('BilledCost', 'money'),
  c('BillingAccountId', 'string'),
  c('BillingAccountName', 'string'),
  c('BillingAccountType', 'string', '1.2'),
  c('BillingCurrency', 'string'),
  c('BillingPeriodEnd', 'datetime'),
  c('BillingPeriodStart', 'datetime'),
  c('CapacityReservationId', 'string', '1.1'),
  c('CapacityReservationStatus', 'string', '1.1'),
  c('ChargeCategory', 'string'),
  c('ChargeClass', 'string'),
  c('ChargeDescription', 'string'),
  c('ChargeFrequency', 'string'),
  c('ChargePeriodEnd', 'datetime'),
  c('ChargePeriodStart', 'datetime'),
  c('CommitmentDiscountCategory', 'string'),
  c('CommitmentDiscountId', 'string'),
  c('CommitmentDiscountName', 'string'),
  c('CommitmentDiscountQuantity', 'quantity', '1.1'),
  c('CommitmentDiscountStatus', 'string'),
  c('CommitmentDiscountType', 'string'),
  c('CommitmentDiscountUnit', 'string', '1.1'),
  c('ConsumedQuantity', 'quantity'),
  c('ConsumedUnit', 'string'),
  c('ContractedCost', 'money'),
  c('ContractedUnitPrice', 'price'),
  c('EffectiveCost', 'money'),
  c('InvoiceId', 'string', '1.2'),
  c('InvoiceIssuerName', 'string'),
  c('ListCost', 'money'),
  c('ListUnitPrice', 'price'),
  c('PricingCategory', 'string'),
  c('PricingCurrency', 'string', '1.2'),
  c('PricingCurrencyContractedUnitPrice', 'price', '1.2'),
  c('PricingCurrencyEffectiveCost', 'money', '1.2'),
  c('PricingCurrencyListUnitPrice', 'price', '1.2'),
  c('PricingQuantity', 'quantity'),
  c('PricingUnit', 'string'),
  c('ProviderName', 'string'),
  c('PublisherName', 'string'),
  c('RegionId', 'string'),
  c('RegionName', 'string'),
  c('ResourceId', 'string'),
  c('ResourceName', 'string'),
  c('ResourceType', 'string'),
  c('ServiceCategory', 'string'),
  c('ServiceName', 'string'),
  c('ServiceSubcategory', 'string', '1.1'),
  c('SkuId', 'string'),
  c('SkuMeter', 'string', '1.1'),
  c('SkuPriceDetails', 'json', '1.1'),
  c('SkuPriceId', 'string'),
  c('SubAccountId', 'string'),
  c('SubAccountName', 'string'),
  c('SubAccountType', 'string', '1.2'),
  c('Tags', 'json'),
  // FOCUS 1.3 additions, nullable.
  c('AllocatedMethodId', 'string', '1.3'),
  c('AllocatedMethodDetails', 'json', '1.3'),
  c('AllocatedResourceId', 'string', '1.3'),
  c('AllocatedResourceName', 'string', '1.3'),
  c('AllocatedTags', 'json', '1.3'),
  c('ContractApplied', 'json', '1.3'),
  c('HostProviderName', 'string', '1.3'),
  c('ServiceProviderName', 'string', '1.3'),
  // Tally's AI classification.
  c('x_AiProvider', 'string', 'tally'),
  c('x_AiModel', 'string', 'tally'),
  c('x_AiTokenType', 'string', 'tally'),
  c('x_AiDeploymentType', 'string', 'tally'),
  c('x_AiService', 'string', 'tally'),
  // Vendor x_ columns we do not model one by one, kept as a JSON object {column: value}.
  c('x_Extra', 'json', 'tally'),
];

/** Column names, in order. */
export const FOCUS_COLUMN_NAMES: readonly string[] = FOCUS_COLUMNS.map((col) => col.name);

/** Bookkeeping columns every stored cost row also has (not FOCUS, not exported). */
export const COST_ROW_META = ['_row_id', '_source_file', '_source_line', '_slice_key', '_ingest_id'] as const;

/** Values of x_AiTokenType. */
export const AI_TOKEN_TYPES = ['input', 'cached-input', 'output', 'training', 'none'] as const;
/** Values of x_AiDeploymentType. */
export const AI_DEPLOYMENT_TYPES = [
  'global-standard',
  'data-zone',
  'regional',
  'batch',
  'provisioned',
  'provisioned-reservation',
  'fine-tune-hosting',
  'fine-tune-training',
] as const;

/** FOCUS 1.2 allowed values of ServiceCategory. */
export const FOCUS_SERVICE_CATEGORIES: readonly string[] = [
  'AI and Machine Learning',
  'Analytics',
  'Business Applications',
  'Compute',
  'Databases',
  'Developer Tools',
  'Multicloud',
  'Identity',
  'Integration',
  'Internet of Things',
  'Management and Governance',
  'Media',
  'Migration',
  'Mobile',
  'Networking',
  'Security',
  'Storage',
  'Web',
  'Other',
];

/** Columns of a cost-rows file (store.loadCostRows), in order: bookkeeping, then every FOCUS column. */
export const COST_ROW_FILE_COLUMNS: readonly string[] = [
  '_row_id',
  '_source_file',
  '_source_line',
  '_slice_key',
  '_ingest_id',
  ...FOCUS_COLUMNS.map((c) => c.name),
];
