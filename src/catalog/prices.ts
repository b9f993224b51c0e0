/** Price lookups at a point in time, effective rates (discounts, price sheets) and exact request costing. */
import { TallyError, tokenCost, type Nanos } from '../core/index.js';
import { allRecords, registryGeneration } from './_registry.js';
import { normalizeDeployment, normalizeProvider } from './deployments.js';
import { resolveModel } from './models.js';
import type { Discount, PriceQuery, PriceRecord, ResolvedModel, TokenPrice, TokenUsage } from './types.js';

/** A query with model, provider and deployment resolved to canonical names. */
export interface CanonicalQuery {
  model: ResolvedModel;
  provider: string;
  deployment: string;
  region: string | undefined;
  /** YYYY-MM-DD (UTC) the price must be in effect on. */
  day: string;
}

/**
 * Canonicalises a query. Without a provider, OpenAI models use Azure unless the deployment is `standard`
 * (OpenAI direct), since Tally is Azure-first; Claude models use Anthropic direct.
 */
export function canonicalQuery(q: PriceQuery): CanonicalQuery {
  const model = resolveModel(q.model, q.provider);
  let provider = q.provider ? normalizeProvider(q.provider) : model.provider;
  if (!q.provider && provider === 'openai' && q.deployment.trim().toLowerCase() !== 'standard')
    provider = 'azure';
  const deployment = normalizeDeployment(q.deployment, provider);
  const day = (q.at ?? new Date()).toISOString().slice(0, 10);
  return { model, provider, deployment, region: q.region?.toLowerCase(), day };
}

function rank(r: PriceRecord, c: CanonicalQuery): number {
  const m = r.model.toLowerCase();
  const modelScore = m === c.model.id ? 2 : m === c.model.family ? 1 : 0;
  const regionScore = r.region === undefined ? 0 : 1;
  return modelScore * 10 + regionScore;
}

// The gateway prices every request: memoise (query, day) -> record. Bounded; cleared when imports change.
const memo = new Map<string, PriceRecord | null>();
let memoGeneration = -1;
const MEMO_LIMIT = 10_000;

function pick(c: CanonicalQuery, basis: 'list' | 'effective'): PriceRecord | null {
  if (memoGeneration !== registryGeneration() || memo.size > MEMO_LIMIT) {
    memo.clear();
    memoGeneration = registryGeneration();
  }
  const key = [basis, c.model.id, c.provider, c.deployment, c.region ?? '', c.day].join('|');
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const found = scan(c, basis);
  memo.set(key, found);
  return found;
}

function scan(c: CanonicalQuery, basis: 'list' | 'effective'): PriceRecord | null {
  let best: PriceRecord | null = null;
  let bestRank = -1;
  for (const r of allRecords()) {
    if (r.basis !== basis || r.provider !== c.provider || r.deployment !== c.deployment) continue;
    if (r.effectiveFrom > c.day) continue;
    if (r.region !== undefined && r.region !== c.region) continue;
    const k = rank(r, c);
    if (k < 10) continue;
    // Higher specificity wins; at equal specificity the newest effective date wins, then the latest registered.
    if (k > bestRank || (k === bestRank && best !== null && r.effectiveFrom >= best.effectiveFrom)) {
      best = r;
      bestRank = k;
    }
  }
  return best;
}

function toTokenPrice(r: PriceRecord, c: CanonicalQuery): TokenPrice {
  return {
    model: c.model.id,
    deployment: r.deployment,
    provider: r.provider,
    inputNanosPerMTok: r.inputNanosPerMTok,
    cachedInputNanosPerMTok: r.cachedInputNanosPerMTok,
    outputNanosPerMTok: r.outputNanosPerMTok,
    cacheWriteNanosPerMTok: r.cacheWriteNanosPerMTok ?? null,
    effectiveFrom: r.effectiveFrom,
    source: r.source,
    version: r.version,
  };
}

/** List token price for a model + deployment type at a point in time (default now); null when none. */
export function lookupPrice(q: PriceQuery): TokenPrice | null {
  const c = canonicalQuery(q);
  const r = pick(c, 'list');
  return r ? toTokenPrice(r, c) : null;
}

/** Negotiated price from an imported price sheet, or null when none applies. */
export function lookupEffectivePrice(q: PriceQuery): TokenPrice | null {
  const c = canonicalQuery(q);
  const r = pick(c, 'effective');
  return r ? toTokenPrice(r, c) : null;
}

/** The most specific discount matching a query (provider, model family or id, deployment), or undefined. */
export function matchDiscount(c: CanonicalQuery, discounts: readonly Discount[]): Discount | undefined {
  let best: Discount | undefined;
  let bestScore = -1;
  for (const d of discounts) {
    if (d.provider && normalizeProvider(d.provider) !== c.provider) continue;
    if (d.model) {
      const m = d.model.toLowerCase();
      if (m !== c.model.family && m !== c.model.id && resolveSafe(m) !== c.model.family) continue;
    }
    if (d.deployment && normalizeDeployment(d.deployment, c.provider) !== c.deployment) continue;
    const score = (d.model ? 4 : 0) + (d.deployment ? 2 : 0) + (d.provider ? 1 : 0);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function resolveSafe(name: string): string | undefined {
  try {
    return resolveModel(name).family;
  } catch {
    return undefined;
  }
}

/** Applies a percent discount to an amount, exactly (percent may have decimals), rounding half-up. */
export function applyDiscount(n: Nanos, percent: number): Nanos {
  // Percent as an integer of millionths of a percent keeps "12.5" exact: factor = (1e8 - pct*1e6) / 1e8.
  const pct = BigInt(Math.round(percent * 1e6));
  const den = 100_000_000n;
  const num = n * (den - pct);
  const q = num / den;
  return (num % den) * 2n >= den ? q + 1n : q;
}

function costAt(u: TokenUsage, p: TokenPrice): Nanos {
  const write = u.cacheWriteTokens ?? 0;
  const uncached = u.inputTokens - u.cachedInputTokens - write;
  const cachedPrice = p.cachedInputNanosPerMTok ?? p.inputNanosPerMTok;
  const writePrice = p.cacheWriteNanosPerMTok ?? p.inputNanosPerMTok;
  // One rounding per line item (uncached input, cached input, cache write, output); reasoning is inside output.
  return (
    tokenCost(uncached, p.inputNanosPerMTok) +
    tokenCost(u.cachedInputTokens, cachedPrice) +
    tokenCost(write, writePrice) +
    tokenCost(u.outputTokens, p.outputNanosPerMTok)
  );
}

const USAGE_FIELDS = [
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'reasoningTokens',
  'cacheWriteTokens',
] as const;

function checkUsage(u: TokenUsage): void {
  for (const k of USAGE_FIELDS) {
    const v = u[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      throw new TallyError('invalid_input', `${k} must be a non-negative integer (got ${String(v)})`, {
        field: k,
      });
  }
  if (u.cachedInputTokens + (u.cacheWriteTokens ?? 0) > u.inputTokens)
    throw new TallyError(
      'invalid_input',
      'cachedInputTokens (+cacheWriteTokens) cannot exceed inputTokens: input includes cached',
      { field: 'cachedInputTokens' },
    );
  if ((u.reasoningTokens ?? 0) > u.outputTokens)
    throw new TallyError(
      'invalid_input',
      'reasoningTokens cannot exceed outputTokens: output includes reasoning',
      { field: 'reasoningTokens' },
    );
}

/**
 * Everything that decides what a request costs on one (model, deployment, provider, region) on one day: the
 * list price, an imported price sheet's price if one applies, else the most specific discount.
 */
export interface RateCard {
  readonly list: TokenPrice;
  /** Negotiated price from an imported sheet (wins over discounts). */
  readonly sheet: TokenPrice | null;
  /** Percent off list when no sheet applies. */
  readonly discountPercent: number | null;
  readonly priceVersion: string;
}

const DAY_MS = 86_400_000;
// The gateway prices every request (twice with a reservation): cards are memoised per discounts list and
// (query, UTC day), bounded, and dropped when registered imports change.
const cards = new WeakMap<readonly Discount[], { generation: number; memo: Map<string, RateCard | null> }>();
const NO_DISCOUNTS: readonly Discount[] = [];

function buildCard(q: PriceQuery, discounts: readonly Discount[]): RateCard | null {
  const c = canonicalQuery(q);
  const list = pick(c, 'list');
  if (!list) return null;
  const sheet = pick(c, 'effective');
  return {
    list: toTokenPrice(list, c),
    sheet: sheet ? toTokenPrice(sheet, c) : null,
    discountPercent: sheet ? null : (matchDiscount(c, discounts)?.percent ?? null),
    priceVersion: (sheet ?? list).version,
  };
}

/** The rate card for a query (default now); throws `not_found` when the catalog has no list price. */
export function rateCard(q: PriceQuery, discounts: readonly Discount[] = NO_DISCOUNTS): RateCard {
  const generation = registryGeneration();
  let entry = cards.get(discounts);
  if (!entry || entry.generation !== generation || entry.memo.size > MEMO_LIMIT)
    cards.set(discounts, (entry = { generation, memo: new Map() }));
  const memo = entry.memo;
  const at = q.at ?? new Date();
  const key = `${q.model}\u0001${q.deployment}\u0001${q.provider ?? ''}\u0001${q.region ?? ''}\u0001${Math.floor(at.getTime() / DAY_MS)}`;
  let card = memo.get(key);
  if (card === undefined) {
    card = buildCard({ ...q, at }, discounts);
    memo.set(key, card);
  }
  if (card) return card;
  const c = canonicalQuery({ ...q, at });
  throw new TallyError(
    'not_found',
    `no ${c.provider} price for ${c.model.id} on deployment type ${c.deployment} at ${c.day}`,
    { model: c.model.id, deployment: c.deployment, provider: c.provider },
  );
}

/** Exact cost of a usage on a rate card (see `priceUsage`). */
export function costOnCard(
  usage: TokenUsage,
  card: RateCard,
): { costNanos: bigint; listCostNanos: bigint; priceVersion: string } {
  checkUsage(usage);
  const listCostNanos = costAt(usage, card.list);
  const costNanos = card.sheet
    ? costAt(usage, card.sheet)
    : card.discountPercent !== null
      ? applyDiscount(listCostNanos, card.discountPercent)
      : listCostNanos;
  return { costNanos, listCostNanos, priceVersion: card.priceVersion };
}

/**
 * Exact cost of one request. OpenAI semantics: input includes cached, output includes reasoning (never billed
 * twice). Provisioned deployments cost 0 per token. Effective cost uses an imported price sheet when one
 * matches, else the most specific discount. A missing price throws `not_found` (never priced at zero).
 */
export function priceUsage(
  usage: TokenUsage,
  q: PriceQuery,
  discounts: readonly Discount[] = NO_DISCOUNTS,
): { costNanos: bigint; listCostNanos: bigint; priceVersion: string } {
  checkUsage(usage);
  return costOnCard(usage, rateCard(q, discounts));
}

/** Every price record (built-in and registered imports), for listings. */
export function allPriceRecords(): readonly PriceRecord[] {
  return allRecords();
}
