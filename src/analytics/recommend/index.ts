/**
 * recommend: savings you can act on (PTU right-sizing, reservations, idle fine-tuned hosting, batch, model
 * right-sizing, deployment-type premiums), each with the evidence that reproduces it to the cent.
 */
export { recommend, recommendDocument, forTeams, inCurrency, type RecommendResult } from './recommend.js';
export { ptuUtilisation, type PtuUtilisation } from './_ptu.js';
export { loadRecommendInputs, latestCompleteMonth, type RecommendInputs } from './_queries.js';
export {
  replayPtu,
  ptuCandidates,
  type MinuteLoad,
  type ReplayOutcome,
  type ReplaySpec,
} from './_ptu-replay.js';
export {
  perMonth,
  atRate,
  familyOf,
  type Recommendation,
  type RecommendationKind,
  type Evidence,
} from './_types.js';
