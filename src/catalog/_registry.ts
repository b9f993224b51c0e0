/**
 * The in-memory price table: built-in rows (parsed once to exact nanos), Azure rows derived from Global
 * Standard by documented ratios, and rows registered at runtime from imports (retail API pages, price sheets).
 */
import { parseUsd, type Nanos } from '../core/index.js';
import {
  ANTHROPIC_PRICES,
  AZURE_OVERRIDES,
  CATALOG_VERSION,
  OPENAI_PRICES,
  type PriceRow,
} from './data/token-prices.js';
import { FINE_TUNABLE } from './data/services.js';
import { PROVISIONED_DEPLOYMENTS } from './deployments.js';
import type { PriceRecord, PtuPriceRecord } from './types.js';

// Azure ratios to Global Standard (domain notes §1.1): Data Zone and Regional ≈ 1.10x (Retail Prices API),
// Batch = 50% of Global, Data Zone Batch = 50% of Data Zone. Ratios are rationals so nanos stay exact.
const AZURE_DERIVED: readonly { deployment: string; num: bigint; den: bigint; note: string }[] = [
  { deployment: 'global-standard', num: 1n, den: 1n, note: 'Azure Global Standard = OpenAI list' },
  {
    deployment: 'data-zone',
    num: 11n,
    den: 10n,
    note: 'Azure Data Zone = 1.10x Global (Retail Prices API pattern)',
  },
  {
    deployment: 'regional',
    num: 11n,
    den: 10n,
    note: 'Azure Regional = 1.10x Global (Retail Prices API pattern)',
  },
  {
    deployment: 'batch',
    num: 1n,
    den: 2n,
    note: 'Azure Global Batch = 50% of Global Standard (MS deployment-types doc)',
  },
  { deployment: 'data-zone-batch', num: 11n, den: 20n, note: 'Azure Data Zone Batch = 50% of Data Zone' },
];

function rowToRecord(r: PriceRow): PriceRecord {
  return {
    model: r.model,
    deployment: r.deployment,
    provider: r.provider,
    inputNanosPerMTok: parseUsd(r.input),
    cachedInputNanosPerMTok: r.cachedInput === null ? null : parseUsd(r.cachedInput),
    outputNanosPerMTok: parseUsd(r.output),
    cacheWriteNanosPerMTok: r.cacheWrite == null ? null : parseUsd(r.cacheWrite),
    effectiveFrom: r.effectiveFrom,
    source: r.source,
    version: CATALOG_VERSION,
    ...(r.region ? { region: r.region } : {}),
    basis: 'list',
  };
}

function scale(n: Nanos, num: bigint, den: bigint): Nanos {
  const q = (n * num) / den;
  return ((n * num) % den) * 2n >= den ? q + 1n : q;
}

function derivedAzure(base: PriceRecord): PriceRecord[] {
  const out: PriceRecord[] = [];
  for (const d of AZURE_DERIVED) {
    out.push({
      ...base,
      provider: 'azure',
      deployment: d.deployment,
      inputNanosPerMTok: scale(base.inputNanosPerMTok, d.num, d.den),
      cachedInputNanosPerMTok:
        base.cachedInputNanosPerMTok === null ? null : scale(base.cachedInputNanosPerMTok, d.num, d.den),
      outputNanosPerMTok: scale(base.outputNanosPerMTok, d.num, d.den),
      source: `${d.note}; base: ${base.source}`,
    });
  }
  // Fine-tuned deployments bill tokens at the base model's Global rate plus $1.70/h hosting (see ptu/services).
  if ((FINE_TUNABLE as readonly string[]).includes(base.model))
    out.push({
      ...base,
      provider: 'azure',
      deployment: 'fine-tuned',
      source: `Fine-tuned tokens at base-model rate (hosting billed hourly); base: ${base.source}`,
    });
  // PTU deployments have no per-token charge: the PTU-hour is the price (see ptu.ts).
  for (const p of PROVISIONED_DEPLOYMENTS)
    out.push({
      ...base,
      provider: 'azure',
      deployment: p,
      inputNanosPerMTok: 0n,
      cachedInputNanosPerMTok: 0n,
      outputNanosPerMTok: 0n,
      source:
        'Provisioned: billed per PTU-hour, zero marginal token cost (provisioned-throughput-onboarding.md)',
    });
  return out;
}

function builtIn(): PriceRecord[] {
  const openai = OPENAI_PRICES.map(rowToRecord);
  const overrides = AZURE_OVERRIDES.map(rowToRecord);
  const isOverridden = (r: PriceRecord) =>
    overrides.some(
      (o) => o.model === r.model && o.deployment === r.deployment && o.effectiveFrom <= r.effectiveFrom,
    );
  const azure = openai.flatMap(derivedAzure).filter((r) => !isOverridden(r));
  const anthropic = ANTHROPIC_PRICES.map(rowToRecord);
  const anthropicBatch = anthropic.map((r) => ({
    ...r,
    deployment: 'batch',
    inputNanosPerMTok: r.inputNanosPerMTok / 2n,
    cachedInputNanosPerMTok: r.cachedInputNanosPerMTok === null ? null : r.cachedInputNanosPerMTok / 2n,
    outputNanosPerMTok: r.outputNanosPerMTok / 2n,
    cacheWriteNanosPerMTok: r.cacheWriteNanosPerMTok == null ? null : r.cacheWriteNanosPerMTok / 2n,
    source: `Anthropic Message Batches = 50% of standard; base: ${r.source}`,
  }));
  const openaiBatch = openai.map((r) => ({
    ...derivedAzure(r)[3]!,
    provider: 'openai',
    source: `OpenAI Batch API = 50% of standard; base: ${r.source}`,
  }));
  return [...openai, ...openaiBatch, ...azure, ...overrides, ...anthropic, ...anthropicBatch];
}

const records: PriceRecord[] = builtIn();
const builtInCount = records.length;
let generation = 0;

/** Changes whenever registered rows change, so memoised lookups know to start over. */
export function registryGeneration(): number {
  return generation;
}

/** All price records (built-in then registered), for lookups and listings. */
export function allRecords(): readonly PriceRecord[] {
  return records;
}

/** Adds imported rows (retail API pages, price sheets). Later registrations win ties in lookups. */
export function addRecords(rows: readonly PriceRecord[]): void {
  records.push(...rows);
  generation++;
}

/** Drops every registered (imported) row, keeping the built-in catalog. */
export function clearRegistered(): void {
  records.length = builtInCount;
  ptuRecords.length = 0;
  generation++;
}

const ptuRecords: PtuPriceRecord[] = [];

/** Imported PTU prices, in registration order. */
export function allPtuRecords(): readonly PtuPriceRecord[] {
  return ptuRecords;
}

/** Adds imported PTU prices. */
export function addPtuRecords(rows: readonly PtuPriceRecord[]): void {
  ptuRecords.push(...rows);
  generation++;
}
