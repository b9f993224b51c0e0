/** Anomaly detection (online, robust, seasonal) and root-cause attribution over spend scopes. */
export { DETECT_DEFAULTS, detectAnomalies } from './_detect.js';
export type { AnomalyKind, DetectOptions, PointScore } from './_detect.js';
export { attributeChange, decomposeChange } from './_root-cause.js';
export type { ChangeDecomposition, ElementChange, ModelSpend, RootCause } from './_root-cause.js';
export { scanSpendAnomalies } from './_scan.js';
export type { ScanOptions, SpendAnomaly } from './_scan.js';
export { scanStore } from './_store-scan.js';
export type { StoreScanSettings } from './_store-scan.js';
