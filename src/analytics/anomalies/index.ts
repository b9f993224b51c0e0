/** Anomaly detection (online, robust, seasonal), root-cause attribution, and incidents over spend scopes. */
export { DETECT_DEFAULTS, detectAnomalies } from './_detect.js';
export { EVENT_DEFAULTS, detectEvents, warmUpEnd, warmUpPoints } from './_events.js';
export type { EventKind, EventOptions, EventPoint } from './_events.js';
export type { AnomalyKind, DetectOptions, PointScore } from './_detect.js';
export { attributeChange, decomposeChange } from './_root-cause.js';
export type { ChangeDecomposition, ElementChange, ModelSpend, RootCause } from './_root-cause.js';
export { scanSpendAnomalies } from './_scan.js';
export type { ScanOptions, SpendAnomaly } from './_scan.js';
export { explainByLeaves } from './_explain.js';
export type { LeafExplanation } from './_explain.js';
export { capacityFamily, findIdleCapacity, modelFamily } from './_idle.js';
export type { IdleCapacity } from './_idle.js';
export { groupIncidents, OPAQUE_ID_HEX, opaqueIncidentId } from './_incidents.js';
export { labelsOwnedBy, OUTSIDE_SCOPE, withOwnLabels } from './_scoped-labels.js';
export type { Incident, IncidentOptions } from './_incidents.js';
export { capacityUsdPerToken, scanIncidents, scanSettings, scanStore } from './_store-scan.js';
export type { StoreScanSettings } from './_store-scan.js';
