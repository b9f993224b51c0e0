/**
 * Provisioned throughput (PTU) facts: $/PTU-hour and reservation prices per provisioned deployment type, and
 * per-model sizing (input tokens per minute per PTU, output-to-input weighting, minimum and increment).
 * Sources: Azure `provisioned-throughput-onboarding.md` (2026-04-07), `provisioned-throughput-sizing.md`
 * (2026-05-21) and Retail Prices API extracts recorded 2026-07-27 / 2026-09-23 (domain notes §1.4).
 */

/** Price of one PTU for a provisioned deployment type, in USD decimal strings. */
export interface PtuPriceRow {
  readonly deployment: 'provisioned' | 'data-zone-provisioned' | 'regional-provisioned';
  readonly hourly: string;
  /** 1-month reservation, per PTU per month. */
  readonly monthly: string;
  /** 1-year reservation, per PTU per year. */
  readonly yearly: string;
  readonly effectiveFrom: string;
  readonly source: string;
}

const PTU_SRC = 'Azure Retail Prices API (Provisioned Managed meters), recorded 2026-09-23';

/** PTU list prices. */
export const PTU_PRICES: readonly PtuPriceRow[] = [
  {
    deployment: 'provisioned',
    hourly: '1.00',
    monthly: '260',
    yearly: '2652',
    effectiveFrom: '2024-08-01',
    source: PTU_SRC,
  },
  {
    deployment: 'data-zone-provisioned',
    hourly: '1.10',
    monthly: '286',
    yearly: '2916',
    effectiveFrom: '2024-11-01',
    source: PTU_SRC,
  },
  {
    deployment: 'regional-provisioned',
    hourly: '2.00',
    monthly: '286',
    yearly: '2916',
    effectiveFrom: '2024-08-01',
    source: PTU_SRC,
  },
];

/** Per-model PTU sizing. Global and Data Zone share min 15 / step 5 for OpenAI models. */
export interface PtuModelRow {
  readonly family: string;
  /** Input tokens per minute one PTU sustains. */
  readonly inputTpmPerPtu: number;
  /** One output token uses this many input tokens of capacity (output price / input price). */
  readonly outputRatio: number;
  readonly regionalMin: number;
  readonly regionalStep: number;
}

/** Sizing table from provisioned-throughput-sizing.md. */
export const PTU_MODELS: readonly PtuModelRow[] = [
  { family: 'gpt-5.5', inputTpmPerPtu: 1200, outputRatio: 6, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-5.4', inputTpmPerPtu: 2400, outputRatio: 6, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-5.2', inputTpmPerPtu: 3400, outputRatio: 8, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-5.1', inputTpmPerPtu: 4750, outputRatio: 8, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-5', inputTpmPerPtu: 4750, outputRatio: 8, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-5-mini', inputTpmPerPtu: 23750, outputRatio: 8, regionalMin: 25, regionalStep: 25 },
  { family: 'gpt-4.1', inputTpmPerPtu: 3000, outputRatio: 4, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-4.1-mini', inputTpmPerPtu: 14900, outputRatio: 4, regionalMin: 25, regionalStep: 25 },
  { family: 'gpt-4.1-nano', inputTpmPerPtu: 59400, outputRatio: 4, regionalMin: 25, regionalStep: 25 },
  { family: 'o3', inputTpmPerPtu: 3000, outputRatio: 4, regionalMin: 50, regionalStep: 50 },
  { family: 'o4-mini', inputTpmPerPtu: 5400, outputRatio: 4, regionalMin: 25, regionalStep: 25 },
  { family: 'gpt-4o', inputTpmPerPtu: 2500, outputRatio: 4, regionalMin: 50, regionalStep: 50 },
  { family: 'gpt-4o-mini', inputTpmPerPtu: 37000, outputRatio: 4, regionalMin: 25, regionalStep: 25 },
  { family: 'o3-mini', inputTpmPerPtu: 2500, outputRatio: 4, regionalMin: 25, regionalStep: 25 },
  { family: 'o1', inputTpmPerPtu: 230, outputRatio: 4, regionalMin: 25, regionalStep: 50 },
];

/** Global and Data Zone provisioned minimum and increment (PTU). */
export const GLOBAL_PTU_MIN = 15;
/** Global and Data Zone provisioned increment (PTU). */
export const GLOBAL_PTU_STEP = 5;
