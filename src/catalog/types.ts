/** Public types of the catalog module. */
import type { ModelKind } from './data/models.js';

export type { ModelKind };

/** A model name resolved to its dated id. */
export interface ResolvedModel {
  readonly id: string;
  readonly family: string;
  readonly provider: string;
  readonly kind: ModelKind;
  readonly encoding: 'o200k_base' | 'cl100k_base' | null;
}

/** Token prices for one model + deployment type at a point in time, in nano-USD per million tokens. */
export interface TokenPrice {
  model: string;
  deployment: string;
  provider: string;
  inputNanosPerMTok: bigint;
  cachedInputNanosPerMTok: bigint | null;
  outputNanosPerMTok: bigint;
  cacheWriteNanosPerMTok?: bigint | null;
  /** YYYY-MM-DD (UTC). */
  effectiveFrom: string;
  source: string;
  version: string;
}

/** A catalog price row: a TokenPrice plus where it applies and whether it is list or negotiated. */
export interface PriceRecord extends TokenPrice {
  /** Azure region (armRegionName) when the price is region-specific; undefined = any region. */
  region?: string;
  /** `list` (public) or `effective` (negotiated, e.g. from an EA/MCA price sheet). */
  basis: 'list' | 'effective';
}

/** A negotiated discount (tally.yaml `pricing.discounts`); the most specific matching entry wins. */
export interface Discount {
  provider?: string | undefined;
  model?: string | undefined;
  deployment?: string | undefined;
  /** Percent off list, 0-100. */
  percent: number;
}

/** Token usage of one request, OpenAI semantics (input includes cached, output includes reasoning). */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens?: number;
  /** Anthropic cache-write tokens, a subset of inputTokens billed at the cache-write price. */
  cacheWriteTokens?: number;
}

/** What a price lookup is for. */
export interface PriceQuery {
  model: string;
  deployment: string;
  provider?: string | undefined;
  region?: string | undefined;
  at?: Date | undefined;
}

/** An imported PTU price (Retail Prices API): any of hourly / 1-month / 1-year per PTU; missing fields fall back. */
export interface PtuPriceRecord {
  deployment: string;
  region?: string;
  hourlyNanos?: bigint;
  monthlyNanos?: bigint;
  yearlyNanos?: bigint;
  effectiveFrom: string;
  source: string;
}
