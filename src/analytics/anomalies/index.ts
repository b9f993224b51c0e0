/** Anomaly detection (online, robust, seasonal) and root-cause attribution. */
export { DETECT_DEFAULTS, detectAnomalies } from './_detect.js';
export type { AnomalyKind, DetectOptions, PointScore } from './_detect.js';
