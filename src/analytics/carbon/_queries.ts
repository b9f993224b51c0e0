/** Named query for carbon: output tokens and requests per grouping value, model, provider and region. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore, TokenGroupColumn } from '../../store/index.js';
import type { CarbonBy, TokenGroup } from './carbon.js';

const COLUMN: Record<CarbonBy, TokenGroupColumn> = {
  team: 'team',
  app: 'app',
  model: 'model',
  region: 'region',
  deployment: 'deployment',
  environment: 'environment',
  'cost-center': 'cost_center',
};

/** Output tokens and requests per (by, model, provider, region) in the window, optionally for some teams only. */
export function loadTokenGroups(
  store: CostStore,
  w: TimeWindow,
  by: CarbonBy,
  teams?: readonly string[],
): Promise<TokenGroup[]> {
  return store.outputTokenGroups(w, COLUMN[by], teams);
}
