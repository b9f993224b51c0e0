/**
 * catalog: models and aliases, versioned token prices by deployment type (with history), effective rates,
 * PTU specs, SKU service prices and exact token counting. Depends only on core.
 */
export type {
  ResolvedModel,
  TokenPrice,
  PriceRecord,
  Discount,
  TokenUsage,
  PriceQuery,
  ModelKind,
  PtuPriceRecord,
} from './types.js';
export { resolveModel, knownModelNames, contextWindow } from './models.js';
export {
  AZURE_DEPLOYMENTS,
  DIRECT_DEPLOYMENTS,
  PROVISIONED_DEPLOYMENTS,
  PROVIDERS,
  normalizeDeployment,
  normalizeProvider,
  isProvisioned,
} from './deployments.js';
export {
  lookupPrice,
  lookupEffectivePrice,
  priceUsage,
  rateCard,
  costOnCard,
  type RateCard,
  applyDiscount,
  canonicalQuery,
  matchDiscount,
  type CanonicalQuery,
} from './prices.js';
export {
  lookupPtuSpec,
  lookupServicePrice,
  fineTunedHostingPerHour,
  lookupTrainingPrice,
  type PtuSpec,
  type ServicePrice,
} from './ptu.js';
export {
  countTextTokens,
  countChatTokens,
  countWithEncoding,
  leadingTokens,
  tokenizerFor,
  type Tokenizer,
  type EncodingName,
} from './tokens.js';
export { imageTokens } from './_image.js';
export { CATALOG_VERSION } from './data/token-prices.js';
export {
  parseRetailPrices,
  parsePriceSheetCsv,
  parseMeterName,
  toStoredRecords,
  fromStoredRecords,
  registerPrices,
  clearRegisteredPrices,
  toStoredPtu,
  fromStoredPtu,
  registerPtuPrices,
  registerStoredImports,
  registerPriceSheetFile,
  storedImports,
  type StoredImport,
  type StoredPtuRecord,
  PRICE_IMPORTS_META,
  type ImportResult,
  type StoredPriceRecord,
} from './import/index.js';
export { allPriceRecords } from './prices.js';
