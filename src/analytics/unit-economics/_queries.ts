/** Named queries for unit economics: request, conversation and end-user counts, and stored KPI series. */
import { parseUsd, type TimeWindow } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { KpiValue, ScopeActivity } from './unit-economics.js';

const SCOPE_COLUMN = { app: 'app', team: 'team', all: "'all'" } as const;

/** Requests, conversations (tags conversation_id/conversation/session_id) and active end users per app or team. */
export async function loadActivity(
  store: CostStore,
  w: TimeWindow,
  by: 'app' | 'team' | 'all',
): Promise<ScopeActivity[]> {
  const col = SCOPE_COLUMN[by];
  const rows = await store.query(
    `SELECT ${col} AS scope, count(*) AS requests,
       count(DISTINCT coalesce(json_extract_string(tags, '$.conversation_id'), json_extract_string(tags, '$.conversation'),
         json_extract_string(tags, '$.session_id'))) AS conversations,
       count(DISTINCT end_user) AS users
     FROM usage_events WHERE start_time >= $1 AND start_time < $2 GROUP BY ALL ORDER BY scope`,
    [w.from, w.to],
  );
  return rows.map((r) => ({
    scope: r['scope'] === null ? null : String(r['scope']),
    requests: Number(r['requests']),
    conversations: Number(r['conversations']),
    activeUsers: Number(r['users']),
  }));
}

/** KPI values stored by `tally demo` or an import (business_kpis), if that table exists. */
export async function loadStoredKpis(store: CostStore, w: TimeWindow): Promise<KpiValue[]> {
  let rows;
  try {
    rows = await store.query(
      `SELECT strftime(day, '%Y-%m-%d') AS day, app, team, metric, CAST(value AS VARCHAR) AS value FROM business_kpis
       WHERE day >= CAST($1 AS DATE) AND day < CAST($2 AS DATE)`,
      [w.from.toISOString().slice(0, 10), w.to.toISOString().slice(0, 10)],
    );
  } catch {
    return []; // no KPI table in this store
  }
  return rows.map((r) => ({
    day: String(r['day']),
    app: r['app'] === null ? null : String(r['app']),
    team: r['team'] === null ? null : String(r['team']),
    metric: String(r['metric']),
    value: parseUsd(String(r['value'])),
  }));
}
