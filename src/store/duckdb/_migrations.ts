/**
 * Numbered migrations for the DuckDB backend. Append only: never edit a migration that has shipped.
 * Each module owns the migrations it adds (the comment names the owner).
 */
import { FOCUS_COLUMNS, type FocusType } from '../focus-columns.js';
import { USAGE_COLUMNS, type UsageColumnType } from '../usage-event.js';
import { ROLLUP_MIGRATION_SQL } from './_rollup.js';

/** One schema change. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/** Each FOCUS type's DuckDB column type. */
export const FOCUS_PHYSICAL: Record<FocusType, string> = {
  string: 'VARCHAR',
  // Costs: exact decimals with 10 places (sub-nano precision for per-row amounts; sums are exact HUGEINT-backed).
  money: 'DECIMAL(38,10)',
  // Unit prices per token go down to ~1e-8 USD: keep 16 places.
  price: 'DECIMAL(38,16)',
  quantity: 'DECIMAL(38,10)',
  datetime: 'TIMESTAMPTZ',
  json: 'JSON',
};

const usagePhysical: Record<UsageColumnType, string> = {
  text: 'VARCHAR',
  epochMs: 'TIMESTAMPTZ',
  int32: 'INTEGER',
  int16: 'SMALLINT',
  int64: 'BIGINT',
  bool: 'BOOLEAN',
  nanos: 'BIGINT',
  json: 'JSON',
};

/** One usage_events column's DDL (also used to add a column a later release appends to USAGE_COLUMNS). */
export const usageColumnDdl = (col: (typeof USAGE_COLUMNS)[number]): string =>
  `${col.name} ${usagePhysical[col.type]}${col.nullable ? '' : ' NOT NULL'}`;

// Derived from USAGE_COLUMNS; the result is the table migration 1 always created (usage-event.test.ts checks it).
const usageColumnsDdl = USAGE_COLUMNS.map(usageColumnDdl).join(',\n  ');

/** DuckDB's opaque incident id of the old id text in `col` (analytics' opaqueIncidentId; ADR 0059). */
const NEW_ID = (col: string): string => `'inc_' || substr(sha256(${col}), 1, 24)`;

const focusColumnsDdl = FOCUS_COLUMNS.map((col) => `"${col.name}" ${FOCUS_PHYSICAL[col.type]}`).join(',\n  ');

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'foundation: usage events, cost rows, keys, budgets',
    sql: `
-- No primary key on id: DuckDB's ART index costs ~3 µs per inserted event. Appends deduplicate with an
-- anti-join bounded by the batch's start_time range (a duplicate is the same event, so the same start_time).
CREATE TABLE usage_events (
  ${usageColumnsDdl}
);
CREATE TABLE cost_rows (
  _row_id VARCHAR NOT NULL,
  _source_file VARCHAR,
  _source_line BIGINT,
  _slice_key VARCHAR,
  _ingest_id VARCHAR,
  ${focusColumnsDdl}
);
CREATE TABLE ingests (
  id VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  file_hash VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  slice_key VARCHAR,
  rows_loaded BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE virtual_keys (
  id VARCHAR PRIMARY KEY,
  key_hash VARCHAR NOT NULL UNIQUE,
  key_prefix VARCHAR NOT NULL,
  team VARCHAR,
  app VARCHAR,
  environment VARCHAR,
  cost_center VARCHAR,
  tags JSON,
  config JSON,
  status VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ,
  replaced_by VARCHAR
);
CREATE TABLE budgets (
  id VARCHAR PRIMARY KEY,
  scope_kind VARCHAR NOT NULL,
  scope_value VARCHAR,
  period VARCHAR NOT NULL,
  amount_nanos BIGINT NOT NULL,
  thresholds JSON NOT NULL,
  hard BOOLEAN NOT NULL,
  starts_at TIMESTAMPTZ,
  ends_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE kv (
  namespace VARCHAR NOT NULL,
  key VARCHAR NOT NULL,
  value JSON,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (namespace, key)
);
`,
  },
  // 2..9: reserved for module owners (ingest 2, gateway 3, analytics 4, alerts 5). Add yours below in order.
  {
    // Owner: demo (issue 2). Business KPIs per day (date, app or team, metric, value) for unit economics.
    id: 7,
    name: 'business KPI series',
    sql: `
CREATE TABLE business_kpis (
  day DATE NOT NULL,
  app VARCHAR,
  team VARCHAR,
  metric VARCHAR NOT NULL,
  value DECIMAL(38,6) NOT NULL,
  source VARCHAR NOT NULL
);
`,
  },
  {
    // Owner: server (issue 11). People and API tokens with roles (tokens hashed), browser sessions (ids hashed),
    // the audit log of every write, and the lifecycle state of anomaly incidents.
    id: 10,
    name: 'users, sessions, audit log, incident states',
    sql: `
CREATE TABLE users (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  teams JSON NOT NULL,
  token_hash VARCHAR NOT NULL UNIQUE,
  token_prefix VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);
CREATE TABLE sessions (
  id_hash VARCHAR PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  csrf_token VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE audit_log (
  occurred_at TIMESTAMPTZ NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR,
  details JSON
);
CREATE TABLE incident_states (
  id VARCHAR PRIMARY KEY,
  state VARCHAR NOT NULL,
  changed_by VARCHAR NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL,
  note VARCHAR
);
`,
  },
  {
    id: 34,
    name: 'usage_daily: an exact daily rollup of the ledger, kept at every write (chargeback reads it)',
    sql: ROLLUP_MIGRATION_SQL,
  },
  {
    id: 35,
    name: 'business_kpis.kpi_group: a stored KPI can belong to a declared group of apps (ADR 0041)',
    sql: 'ALTER TABLE business_kpis ADD COLUMN kpi_group VARCHAR',
  },
  {
    // Owner: alerts (issue 13 item 3, issue 11 item 4; ADR 0059). Incident ids were `inc:team=a,team=b:<hash>`
    // and named every team an incident touches; they are now `inc_` + 24 hex digits of the SHA-256 of that text
    // (analytics' opaqueIncidentId). Rewrites every stored old id: incident states, the stored incidents and
    // their index, the alerts' de-duplication keys (so nothing is re-alerted) and the audit entries that name one
    // (the old id kept in details.formerId). Only text starting `inc:` is touched, so running it again changes
    // nothing. DuckDB cannot update a key column in place: rows are copied under the new key, then the old removed.
    id: 36,
    name: 'incident ids name no team: every stored inc:team=… id rewritten to inc_<hex> (ADR 0059)',
    sql: `
INSERT INTO incident_states
  SELECT ${NEW_ID('id')}, state, changed_by, changed_at, note FROM incident_states
  WHERE id LIKE 'inc:%' ON CONFLICT DO NOTHING;
DELETE FROM incident_states WHERE id LIKE 'inc:%';
INSERT INTO kv
  SELECT namespace, ${NEW_ID('key')}, json_merge_patch(value, json_object('id', ${NEW_ID('key')})), updated_at
  FROM kv WHERE namespace = 'incidents' AND key LIKE 'inc:%' ON CONFLICT DO NOTHING;
DELETE FROM kv WHERE namespace = 'incidents' AND key LIKE 'inc:%';
UPDATE kv SET value = json_merge_patch(value, json_object('ids', to_json(list_transform(
    json_extract_string(value, '$.ids[*]'),
    x -> CASE WHEN x LIKE 'inc:%' THEN ${NEW_ID('x')} ELSE x END))))
  WHERE namespace = 'incidents' AND key = '_index' AND json_type(value, '$.ids') = 'ARRAY';
INSERT INTO kv
  SELECT namespace, 'incident:' || ${NEW_ID('substr(key, 10)')}, value, updated_at
  FROM kv WHERE namespace = 'alerts' AND key LIKE 'incident:inc:%' ON CONFLICT DO NOTHING;
DELETE FROM kv WHERE namespace = 'alerts' AND key LIKE 'incident:inc:%';
UPDATE audit_log
  SET details = json_merge_patch(COALESCE(details, '{}'::JSON), json_object('formerId', target)),
      target = ${NEW_ID('target')}
  WHERE target LIKE 'inc:%';
`,
  },
];
