/** unit-economics: cost per request, conversation, active user and business outcome, with trend. */
export * from './unit-economics.js';
export { readKpiFile } from './_kpi.js';
export { loadActivity, loadActivityScopes, loadStoredKpis } from './_queries.js';
export { tagUnitEconomics, type TagUsage } from './_by-tag.js';
