/** PTU specs and prices, and SKU service prices, looked up at a point in time. */
import { parseUsd, TallyError, type Nanos } from '../core/index.js';
import { GLOBAL_PTU_MIN, GLOBAL_PTU_STEP, PTU_MODELS, PTU_PRICES } from './data/ptu.js';
import { FINE_TUNED_HOSTING_PER_HOUR, FINE_TUNING_TRAINING, SERVICE_PRICES } from './data/services.js';
import { isProvisioned, normalizeDeployment } from './deployments.js';
import { closeMatches } from './_match.js';
import { resolveModel } from './models.js';
import { allPtuRecords } from './_registry.js';

/** Everything needed to size and price a provisioned deployment of one model. */
export interface PtuSpec {
  model: string;
  family: string;
  deployment: string;
  inputTpmPerPtu: number;
  outputRatio: number;
  minPtu: number;
  stepPtu: number;
  hourlyNanos: Nanos;
  /** 1-month reservation per PTU per month. */
  monthlyReservationNanos: Nanos;
  /** 1-year reservation per PTU per year. */
  yearlyReservationNanos: Nanos;
  effectiveFrom: string;
  source: string;
}

/** PTU sizing and prices for a model on a provisioned deployment type; null when the model has no PTU spec. */
export function lookupPtuSpec(q: {
  model: string;
  deployment?: string;
  region?: string | undefined;
  at?: Date | undefined;
}): PtuSpec | null {
  const m = resolveModel(q.model);
  const deployment = normalizeDeployment(q.deployment ?? 'provisioned', 'azure');
  if (!isProvisioned(deployment))
    throw new TallyError('invalid_input', `deployment type ${deployment} is not provisioned`, {
      field: 'deployment',
    });
  const row = PTU_MODELS.find((r) => r.family === m.family);
  if (!row) return null;
  const day = (q.at ?? new Date()).toISOString().slice(0, 10);
  const price = PTU_PRICES.filter((p) => p.deployment === deployment && p.effectiveFrom <= day).sort((a, b) =>
    b.effectiveFrom.localeCompare(a.effectiveFrom),
  )[0];
  if (!price) return null;
  const region = q.region?.toLowerCase();
  // Imported Retail API prices win field by field (newest, region-specific first); built-in data fills the rest.
  const imported = allPtuRecords()
    .filter(
      (r) =>
        r.deployment === deployment &&
        r.effectiveFrom <= day &&
        (r.region === undefined || r.region === region),
    )
    .sort((a, b) =>
      a.region === b.region
        ? a.effectiveFrom.localeCompare(b.effectiveFrom)
        : a.region === undefined
          ? -1
          : 1,
    );
  const latest = <K extends 'hourlyNanos' | 'monthlyNanos' | 'yearlyNanos'>(k: K): bigint | undefined =>
    [...imported].reverse().find((r) => r[k] !== undefined)?.[k];
  const regional = deployment === 'regional-provisioned';
  const hourly = latest('hourlyNanos');
  const monthly = latest('monthlyNanos');
  const yearly = latest('yearlyNanos');
  const sources = [...new Set(imported.map((r) => r.source))];
  return {
    model: m.id,
    family: m.family,
    deployment,
    inputTpmPerPtu: row.inputTpmPerPtu,
    outputRatio: row.outputRatio,
    minPtu: regional ? row.regionalMin : GLOBAL_PTU_MIN,
    stepPtu: regional ? row.regionalStep : GLOBAL_PTU_STEP,
    hourlyNanos: hourly ?? parseUsd(price.hourly),
    monthlyReservationNanos: monthly ?? parseUsd(price.monthly),
    yearlyReservationNanos: yearly ?? parseUsd(price.yearly),
    effectiveFrom: [price.effectiveFrom, ...imported.map((r) => r.effectiveFrom)].sort().at(-1)!,
    source: [...sources, `${price.source}; sizing: provisioned-throughput-sizing.md (2026-05-21)`].join('; '),
  };
}

// Other names people use for the services in SERVICE_PRICES (keys without separators).
const SERVICE_ALIASES: Record<string, string> = {
  aisearch: 'ai-search',
  azureaisearch: 'ai-search',
  search: 'ai-search',
  cognitivesearch: 'ai-search',
  azurecognitivesearch: 'ai-search',
  documentintelligence: 'document-intelligence',
  formrecognizer: 'document-intelligence',
  contentsafety: 'content-safety',
  speech: 'speech',
};

/** Price of one unit of a SKU-based service (e.g. ai-search S1 per hour). */
export interface ServicePrice {
  service: string;
  sku: string;
  unit: string;
  priceNanos: Nanos;
  freeUnitsPerMonth: number;
  effectiveFrom: string;
  source: string;
}

/** SKU service price at a point in time; unknown service or SKU throws `not_found` with close matches. */
export function lookupServicePrice(q: { service: string; sku: string; at?: Date }): ServicePrice {
  const day = (q.at ?? new Date()).toISOString().slice(0, 10);
  const squashed = q.service.toLowerCase().replace(/[\s_]+/g, '-');
  const svc = SERVICE_ALIASES[squashed.replace(/-/g, '')] ?? squashed;
  const rows = SERVICE_PRICES.filter((r) => r.service === svc);
  if (rows.length === 0) {
    const near = closeMatches(
      q.service,
      SERVICE_PRICES.map((r) => r.service),
    );
    throw new TallyError(
      'not_found',
      `unknown service "${q.service}"` + (near.length ? `; did you mean ${near.join(', ')}?` : ''),
      {
        field: 'service',
        closeMatches: near,
      },
    );
  }
  const sku = q.sku.toLowerCase().replace(/[\s_-]+/g, '');
  const row = rows
    .filter((r) => r.sku.toLowerCase().replace(/[\s_-]+/g, '') === sku && r.effectiveFrom <= day)
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (!row) {
    const near = closeMatches(
      q.sku,
      rows.map((r) => r.sku),
    );
    throw new TallyError(
      'not_found',
      `no price for ${svc} SKU "${q.sku}"` + (near.length ? `; did you mean ${near.join(', ')}?` : ''),
      {
        field: 'sku',
        closeMatches: near,
        allowed: rows.map((r) => r.sku),
      },
    );
  }
  return {
    service: row.service,
    sku: row.sku,
    unit: row.unit,
    priceNanos: parseUsd(row.price),
    freeUnitsPerMonth: row.freeUnitsPerMonth ?? 0,
    effectiveFrom: row.effectiveFrom,
    source: row.source,
  };
}

/** Hosting price of a deployed fine-tuned model on Standard / Global Standard, per hour. */
export function fineTunedHostingPerHour(): { priceNanos: Nanos; effectiveFrom: string; source: string } {
  const h = FINE_TUNED_HOSTING_PER_HOUR;
  return { priceNanos: parseUsd(h.price), effectiveFrom: h.effectiveFrom, source: h.source };
}

/** A verified fine-tuning training price, or null when none is known (never a guessed number). */
export function lookupTrainingPrice(q: {
  model: string;
  method: 'rft' | 'sft' | 'dpo';
}): { unit: string; priceNanos: Nanos; capPerJobNanos: Nanos | null; source: string } | null {
  const family = resolveModel(q.model).family;
  const row = FINE_TUNING_TRAINING.find((r) => r.family === family && r.method === q.method);
  if (!row) return null;
  return {
    unit: row.unit,
    priceNanos: parseUsd(row.price),
    capPerJobNanos: row.capPerJob ? parseUsd(row.capPerJob) : null,
    source: row.source,
  };
}
