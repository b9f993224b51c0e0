/** carbon: energy (Wh) and emissions (gCO2e) of LLM traffic as ranges, EcoLogits equations × CCF grid factors. */
export {
  carbonReport,
  carbonMethod,
  CARBON_BY,
  type CarbonBy,
  type CarbonBasis,
  type CarbonRow,
  type CarbonReport,
  type TokenGroup,
  type Range,
  type MeasuredEnergy,
  type MeasuredGroup,
  type MeasuredIdle,
  type MeasuredMethod,
} from './carbon.js';
export { loadTokenGroups, loadMeasuredEnergy } from './_queries.js';
export {
  loadGridFactors,
  parseFactorsCsv,
  defaultFactorsPath,
  factorFor,
  type GridFactors,
} from './_factors.js';
export {
  whPerOutputToken,
  energyRange,
  sizeClassOf,
  CARBON_METHOD,
  AZURE_PUE,
  DEFAULT_PUE,
} from './_method.js';
