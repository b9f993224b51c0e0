/** Named queries for unit economics: request, conversation and end-user counts, and stored KPI series. */
import { parseUsd, type TimeWindow } from '../../core/index.js';
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

/** KPI values stored by `tally demo` or an import (business_kpis). */
export async function loadStoredKpis(store: CostStore, w: TimeWindow): Promise<KpiValue[]> {
  return (await store.listKpis(w)).map((r) => ({ ...r, group: null, value: parseUsd(r.value) }));
}
