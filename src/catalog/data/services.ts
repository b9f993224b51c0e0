/**
 * SKU-priced AI services (US East list, USD). Hourly SKUs are billed per unit-hour over 730 hours a month;
 * per-request meters are per 1,000. Sources: domain notes §4 (AI Search tiers from a 2026-10-02 note, Basic
 * and S1 corroborated by an Azure cost report; Document Intelligence / Content Safety from Retail API extracts).
 */

/** One service SKU meter. */
export interface ServicePriceRow {
  readonly service: string;
  readonly sku: string;
  /** What one unit is: a search unit hour, 1K requests, 1K pages, an audio hour... */
  readonly unit:
    'hour' | '1K requests' | '1K pages' | '1K records' | '1K images' | 'audio hour' | '1M characters';
  readonly price: string;
  /** Units free each month before billing starts. */
  readonly freeUnitsPerMonth?: number;
  readonly effectiveFrom: string;
  readonly source: string;
}

const SEARCH =
  'Azure AI Search pricing, US East list (research note 2026-10-02; Basic/S1 match a cost report)';
const TOOLS = 'Azure Retail Prices API extract (Foundry Tools), research note';

function search(sku: string, price: string): ServicePriceRow {
  return { service: 'ai-search', sku, unit: 'hour', price, effectiveFrom: '2024-05-01', source: SEARCH };
}

/** Service SKU prices. */
export const SERVICE_PRICES: readonly ServicePriceRow[] = [
  search('Free', '0'),
  search('Basic', '0.101'),
  search('S1', '0.336'),
  search('S2', '1.344'),
  search('S3', '2.688'),
  search('S3HD', '2.688'),
  search('L1', '3.839'),
  search('L2', '7.677'),
  {
    service: 'ai-search',
    sku: 'semantic-ranker',
    unit: '1K requests',
    price: '1.00',
    freeUnitsPerMonth: 1,
    effectiveFrom: '2024-05-01',
    source: SEARCH,
  },
  {
    service: 'document-intelligence',
    sku: 'read',
    unit: '1K pages',
    price: '1.50',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'document-intelligence',
    sku: 'layout',
    unit: '1K pages',
    price: '10.00',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'document-intelligence',
    sku: 'prebuilt',
    unit: '1K pages',
    price: '10.00',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'document-intelligence',
    sku: 'custom',
    unit: '1K pages',
    price: '30.00',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'content-safety',
    sku: 'text',
    unit: '1K records',
    price: '0.375',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'content-safety',
    sku: 'image',
    unit: '1K images',
    price: '0.75',
    effectiveFrom: '2024-01-01',
    source: TOOLS,
  },
  {
    service: 'speech',
    sku: 'stt-standard',
    unit: 'audio hour',
    price: '1.00',
    effectiveFrom: '2024-01-01',
    source: 'Speech pricing as quoted in several public repos (unverified against Retail API)',
  },
];

/** Fine-tuned model hosting on Standard / Global Standard, per deployed model per hour (USD). */
export const FINE_TUNED_HOSTING_PER_HOUR = {
  price: '1.70',
  effectiveFrom: '2025-01-01',
  source: 'MicrosoftDocs how-to-fine-tuning-cost-management (2026-03-19)',
} as const;

/** Families that Azure can fine-tune (token prices for the fine-tuned deployment follow the base model). */
export const FINE_TUNABLE = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'o4-mini',
] as const;

/** Fine-tuning training prices we could verify. SFT/DPO per-token training prices are not published reliably. */
export const FINE_TUNING_TRAINING: readonly {
  family: string;
  method: 'rft' | 'sft' | 'dpo';
  unit: 'hour' | '1M tokens';
  price: string;
  /** Billing stops (the job pauses) at this amount per job, USD. */
  capPerJob?: string;
  effectiveFrom: string;
  source: string;
}[] = [
  {
    family: 'o4-mini',
    method: 'rft',
    unit: 'hour',
    price: '100',
    capPerJob: '5000',
    effectiveFrom: '2025-05-01',
    source:
      'MicrosoftDocs how-to-fine-tuning-cost-management (2026-03-19): RFT $100/h of core training, $5,000 cap',
  },
];
