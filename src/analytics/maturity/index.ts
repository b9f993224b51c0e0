/** maturity: crawl-walk-run per FinOps-for-AI capability, scored from the store's own data. */
export {
  assessMaturity,
  type Capability,
  type Level,
  type MaturityInputs,
  type BudgetStanding,
} from './maturity.js';
export { loadMaturityFacts, type MaturityFacts } from './_queries.js';
