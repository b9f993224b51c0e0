/** Alerts: sink payloads (webhook, Slack, Teams), dedup and quiet period in kv, one evaluation pass. */
export { alertBody } from './_format.js';
export type { AlertEvent, SinkType } from './_format.js';
export { anomalyAlert, budgetAlerts } from './_events.js';
export { dispatchAlerts, postJson } from './_dispatch.js';
export type { DispatchResult, Sink } from './_dispatch.js';
export { evaluateAlerts } from './_evaluate.js';
export type { EvaluationSummary } from './_evaluate.js';
