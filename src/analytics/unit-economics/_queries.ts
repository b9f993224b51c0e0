/** Named queries for unit economics: request, conversation and end-user counts, and stored KPI series. */
import { TallyError, parseUsd, type TimeWindow } from '../../core/index.js';
import type { ActivityScopes, CostStore } from '../../store/index.js';
import type { KpiValue, ScopeActivity } from './unit-economics.js';

/** Requests, conversations (tags conversation_id/conversation/session_id) and active end users per app or team. */
export function loadActivity(
  store: CostStore,
  w: TimeWindow,
  by: 'app' | 'team' | 'all',
): Promise<ScopeActivity[]> {
  return store.usageActivity(w, by);
}

/** The same per app, per team and overall, from one pass over the window's events. */
export function loadActivityScopes(store: CostStore, w: TimeWindow): Promise<ActivityScopes> {
  return store.usageActivityScopes(w);
}

/**
 * KPI values stored by `tally demo` or `tally kpis import` (business_kpis), a group's with its group. A stored
 * group that is no longer declared in `unitEconomics.groups` (`groups`) is refused, as it is in a KPI file:
 * its KPI would otherwise silently pay for nobody.
 */
export async function loadStoredKpis(
  store: CostStore,
  w: TimeWindow,
  groups: ReadonlySet<string> = new Set(),
): Promise<KpiValue[]> {
  return (await store.listKpis(w)).map((r) => {
    if (r.group !== null && !groups.has(r.group))
      throw new TallyError(
        'invalid_input',
        `a stored KPI (${r.metric}, ${r.day}) belongs to group "${r.group}", which is not declared; add it to tally.yaml (unitEconomics: { groups: { ${r.group}: { apps: [APP, ...] } } }) or re-import the KPIs without it`,
        { group: r.group },
      );
    return { ...r, value: parseUsd(r.value) };
  });
}
