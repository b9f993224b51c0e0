/** ingest: read FOCUS and Azure cost exports into the store, classify AI spend, validate, report costs. */
export {
  ingestFiles,
  defaultQuarantineDir,
  type IngestOptions,
  type IngestResult,
  type IngestedFile,
} from './_ingest.js';
export { classifyCharge, modelFromMeter, type AiClass, type ChargeFacts } from './_classify.js';
export { FORMAT_CHOICES, detectFormat, type IngestFormat } from './_detect.js';
export {
  COST_GRANULARITIES,
  queryCosts,
  queryCostsIn,
  sumCostRows,
  type CostsConversion,
  type CostsQuery,
  type CostsRow,
} from './_costs.js';
export { validateFile, type ValidationReport, type RuleFailure } from './_validate.js';
export { DEFAULT_INPUT_LIMITS, type InputLimits } from './_input.js';
