/** policy: request-time governance rules (models per environment, output caps, required tags, restricted deployments). */
export {
  evaluatePolicy,
  modelMatches,
  type PolicyConfig,
  type PolicyRequest,
  type PolicyDecision,
  type PolicyAllow,
  type PolicyDeny,
} from './evaluate.js';
export { policyError } from './_error.js';
