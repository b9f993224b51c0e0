/** Alerts: sink payloads (webhook, Slack, Teams), dedup and quiet period in kv, stored incidents, one evaluation pass. */
export { alertBody } from './_format.js';
export type { AlertEvent, SinkType } from './_format.js';
export { anomalyAlert, budgetAlerts, incidentAlert } from './_events.js';
export { dispatchAlerts, postJson, routeAlert } from './_dispatch.js';
export type { DispatchResult, Sink } from './_dispatch.js';
export { evaluateAlerts, refreshIncidents } from './_evaluate.js';
export type { EvaluationSummary } from './_evaluate.js';
export {
  covers,
  incidentTeams,
  readIncidentIndex,
  readStoredIncidents,
  recordIncidents,
  rememberScanned,
  storedIncidentTeams,
  withLifecycle,
} from './_incidents.js';
export type { IncidentView } from './_incidents.js';
