/** hosting: self-hosted deployments priced from their declared hourly cost, and their energy (ADR 0026). */
export {
  hostedDeployments,
  GPU_WATTS,
  HOST_WATTS_PER_GPU,
  HOSTING_DEFAULT_PUE,
  type HostedDeployment,
  type PowerSource,
} from './_spec.js';
export {
  priceHosted,
  billedSpan,
  weightMilli,
  type HostedCost,
  type HostedGroup,
  type HostedUsageRow,
  type TokenWeights,
} from './hosting.js';
export { loadHostedUsage, loadHostedCosts } from './_queries.js';
