/** reconcile: gateway metering against the cost export, with the variance explained where it can be. */
export * from './reconcile.js';
export { loadMeteredUsage } from './_queries.js';
