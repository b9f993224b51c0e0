/**
 * List token prices in USD per 1M tokens, as decimal strings (parsed to exact nanos at load).
 * OpenAI direct prices equal Azure Global Standard; Azure Data Zone / Regional / Batch rows are derived in
 * `azure.ts` from these with the documented ratios. Every row carries the date it took effect and its source.
 */

/** One list-price row as written in the data files. */
export interface PriceRow {
  readonly provider: string;
  /** A family name (applies to every version) or a dated id (applies to that version only). */
  readonly model: string;
  readonly deployment: string;
  readonly region?: string;
  readonly input: string;
  readonly cachedInput: string | null;
  readonly output: string;
  /** Anthropic 5-minute cache write; null/absent elsewhere. */
  readonly cacheWrite?: string | null;
  /** YYYY-MM-DD (UTC) the price applies from. */
  readonly effectiveFrom: string;
  readonly source: string;
}

/** Data snapshot version of the built-in catalog (bump when rows change). */
export const CATALOG_VERSION = 'catalog-2026.10.1';

const GENAI = '@pydantic/genai-prices 0.1.8 bundled data (npm, 2026-09-23); OpenAI list price';
const LEGACY = 'OpenAI list price recalled for older models (not in the domain notes snapshot; verify)';
const ANTH =
  '@pydantic/genai-prices 0.1.8 (Anthropic direct list; cache write 5m = 1.25x input, read = 0.1x)';

type Cols = [input: string, cached: string | null, output: string];

function openai(
  model: string,
  effectiveFrom: string,
  [input, cachedInput, output]: Cols,
  source = GENAI,
): PriceRow {
  return {
    provider: 'openai',
    model,
    deployment: 'standard',
    input,
    cachedInput,
    output,
    effectiveFrom,
    source,
  };
}

function anthropic(model: string, effectiveFrom: string, input: string, output: string): PriceRow {
  // Cache read is 10% of input, a 5-minute cache write 125% (Anthropic's published multipliers).
  const inp = Number(input);
  const cachedInput = String(Math.round(inp * 0.1 * 1e6) / 1e6);
  const cacheWrite = String(Math.round(inp * 1.25 * 1e6) / 1e6);
  return {
    provider: 'anthropic',
    model,
    deployment: 'standard',
    input,
    cachedInput,
    output,
    cacheWrite,
    effectiveFrom,
    source: ANTH,
  };
}

/** OpenAI direct list prices (= Azure Global Standard), with history where prices changed. */
export const OPENAI_PRICES: readonly PriceRow[] = [
  openai('gpt-4o', '2024-08-06', ['2.50', '1.25', '10.00']),
  openai(
    'gpt-4o-2024-05-13',
    '2024-05-13',
    ['5.00', null, '15.00'],
    'OpenAI list price for the first gpt-4o snapshot',
  ),
  openai('gpt-4o-mini', '2024-07-18', ['0.15', '0.075', '0.60']),
  openai('gpt-4.1', '2025-04-14', ['2.00', '0.50', '8.00']),
  openai('gpt-4.1-mini', '2025-04-14', ['0.40', '0.10', '1.60']),
  openai('gpt-4.1-nano', '2025-04-14', ['0.10', '0.025', '0.40']),
  openai('o1', '2024-12-17', ['15.00', '7.50', '60.00']),
  // o3 launched at $10/$40 and was cut by 80% on 2025-06-10: lookups before that date return the old price.
  openai('o3', '2025-04-16', ['10.00', '2.50', '40.00']),
  openai('o3', '2025-06-10', ['2.00', '0.50', '8.00']),
  openai('o3-mini', '2025-01-31', ['1.10', '0.55', '4.40']),
  openai('o4-mini', '2025-04-16', ['1.10', '0.275', '4.40']),
  openai('gpt-5', '2025-08-07', ['1.25', '0.125', '10.00']),
  openai('gpt-5-mini', '2025-08-07', ['0.25', '0.025', '2.00']),
  openai('gpt-5-nano', '2025-08-07', ['0.05', '0.005', '0.40']),
  openai('gpt-5.1', '2025-11-13', ['1.25', '0.125', '10.00']),
  openai('gpt-5.2', '2025-12-11', ['1.75', '0.175', '14.00']),
  // Base (short-context) tier only; a long-context tier exists and is not modelled yet.
  openai('gpt-5.4', '2026-03-05', ['2.50', '0.25', '15.00']),
  openai('gpt-5.5', '2026-09-23', ['5.00', '0.50', '30.00']),
  // Older models still deployed in the field (OpenAI list prices, with o1-mini's 2025 cut).
  openai('o1-mini', '2024-09-12', ['3.00', '1.50', '12.00'], LEGACY),
  openai('o1-mini', '2025-02-01', ['1.10', '0.55', '4.40'], LEGACY),
  openai('o3-pro', '2025-06-10', ['20.00', null, '80.00'], LEGACY),
  openai('gpt-4-turbo', '2024-04-09', ['10.00', null, '30.00'], LEGACY),
  openai('gpt-4', '2023-06-13', ['30.00', null, '60.00'], LEGACY),
  openai('gpt-3.5-turbo', '2024-01-25', ['0.50', null, '1.50'], LEGACY),
  openai('text-embedding-3-small', '2024-01-25', ['0.02', null, '0']),
  openai('text-embedding-3-large', '2024-01-25', ['0.13', null, '0']),
  openai('text-embedding-ada-002', '2022-12-15', ['0.10', null, '0']),
];

/** Anthropic direct list prices. */
export const ANTHROPIC_PRICES: readonly PriceRow[] = [
  anthropic('claude-sonnet-4', '2025-05-22', '3.00', '15.00'),
  anthropic('claude-sonnet-4-5', '2025-09-29', '3.00', '15.00'),
  anthropic('claude-sonnet-4-6', '2026-02-17', '3.00', '15.00'),
  anthropic('claude-haiku-4-5', '2025-10-15', '1.00', '5.00'),
  anthropic('claude-opus-4-5', '2025-11-24', '5.00', '25.00'),
];

/** Azure rows that differ from the derived ratios (Retail Prices API extracts; domain notes §1.1-1.2). */
export const AZURE_OVERRIDES: readonly PriceRow[] = [
  {
    provider: 'azure',
    model: 'gpt-4o-mini',
    deployment: 'data-zone',
    input: '0.165',
    cachedInput: '0.083',
    output: '0.66',
    effectiveFrom: '2024-07-18',
    source: 'Azure Retail Prices API via LiteLLM table (azure/us/gpt-4o-mini)',
  },
  {
    provider: 'azure',
    model: 'gpt-4o-mini',
    deployment: 'regional',
    input: '0.165',
    cachedInput: '0.083',
    output: '0.66',
    effectiveFrom: '2024-07-18',
    source: 'Azure Retail Prices API via LiteLLM table (azure/gpt-4o-mini regional)',
  },
  {
    provider: 'azure',
    model: 'o4-mini',
    deployment: 'global-standard',
    input: '1.10',
    cachedInput: '0.28',
    output: '4.40',
    effectiveFrom: '2025-04-16',
    source: 'Azure entry in @pydantic/genai-prices 0.1.8 (cached input rounded to $0.28)',
  },
];
