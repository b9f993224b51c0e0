/** estimate: scenario files to monthly tokens and cost per option, PTU sizing and break-even. Depends on core and catalog. */
export {
  loadScenario,
  parseScenario,
  scenarioSchema,
  type Scenario,
  type ScenarioOption,
} from './scenario.js';
export {
  conversationProfile,
  tokenProfile,
  keptTurns,
  SUMMARY_WINDOW,
  type ConversationProfile,
} from './conversation.js';
export {
  sizePtu,
  ptuMonthCost,
  inputEquivalentTokens,
  HOURS_PER_MONTH,
  type Reservation,
} from './ptu-sizing.js';
export {
  estimateScenario,
  conversationsInMonth,
  type Estimate,
  type OptionEstimate,
  type MonthEstimate,
  type PtuEstimate,
} from './estimate.js';
