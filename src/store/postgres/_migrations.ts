/**
 * Numbered migrations for the PostgreSQL backend: the same tables and columns as DuckDB's (so `tally store copy`
 * moves rows one to one), in PostgreSQL's types. Append only: never edit a migration that has shipped. Ids
 * follow DuckDB's for the same tables; ids from 900 are PostgreSQL's own (indexes, the SQL reader's schema).
 */
import { FOCUS_COLUMNS, type FocusType } from '../focus-columns.js';
import { USAGE_COLUMNS, type UsageColumnType } from '../usage-event.js';
import { ROLLUP_DIMS, ROLLUP_METRICS } from '../daily-rollup.js';

/** One schema change. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

// Text compares byte-wise ("C"), as DuckDB's does: reports sort the same on both backends whatever locale the
// database was created with (and comparisons skip the locale's cost).
const TEXT = 'TEXT COLLATE "C"';
/** PostgreSQL's opaque incident id of the old id text in `col` (analytics' opaqueIncidentId; ADR 0059). */
const NEW_ID = (col: string): string =>
  `'inc_' || substr(encode(sha256(convert_to(${col}, 'UTF8')), 'hex'), 1, 24)`;

const physical: Record<FocusType, string> = {
  string: TEXT,
  // Exact decimals, as DuckDB's DECIMAL(38,10) / (38,16): sums stay exact in NUMERIC.
  money: 'NUMERIC(38,10)',
  price: 'NUMERIC(38,16)',
  quantity: 'NUMERIC(38,10)',
  datetime: 'TIMESTAMPTZ',
  // JSON, not JSONB, here and in every table: the text is kept exactly as written (JSONB would reorder keys and
  // respace), so reads, exports and `tally store copy` give the same text on both backends.
  json: 'JSON',
};

const usagePhysical: Record<UsageColumnType, string> = {
  text: TEXT,
  epochMs: 'TIMESTAMPTZ',
  int32: 'INTEGER',
  int16: 'SMALLINT',
  int64: 'BIGINT',
  bool: 'BOOLEAN',
  nanos: 'BIGINT',
  json: 'JSON',
};

/** One usage_events column's DDL; the id is the primary key appends deduplicate on. */
export const usageColumnDdl = (col: (typeof USAGE_COLUMNS)[number]): string =>
  `${col.name} ${usagePhysical[col.type]}${col.name === 'id' ? ' PRIMARY KEY' : col.nullable ? '' : ' NOT NULL'}`;

const usageColumnsDdl = USAGE_COLUMNS.map(usageColumnDdl).join(',\n  ');

const focusColumnsDdl = FOCUS_COLUMNS.map((col) => `"${col.name}" ${physical[col.type]}`).join(',\n  ');

/** Rollup dimensions: chargeback's grouping (analytics/allocate), per UTC day. */
export { ROLLUP_DIMS };

const dims = ROLLUP_DIMS.join(', ');
// Sums per group of a transition table (the rows one statement inserted or deleted).
const rollupSelect = (from: string) => `SELECT CAST(start_time AT TIME ZONE 'UTC' AS DATE), ${dims}, count(*),
    sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(cost_nanos),
    sum(list_cost_nanos), sum(saved_cost_nanos), count(*) FILTER (WHERE http_status >= 400),
    count(*) FILTER (WHERE cache_outcome IN ('hit-exact', 'hit-semantic')), sum(duration_ms)
  FROM ${from} GROUP BY 1, ${ROLLUP_DIMS.map((_, i) => i + 2).join(', ')}`;

/**
 * A month of chargeback on 10M events reads ~10M rows; the rollup holds one row per day and dimension values
 * (thousands). Statement-level triggers over transition tables keep it exact on every write path (the COPY
 * append, a bulk INSERT, the demo deleting its own events): a sum added on insert, subtracted on delete, in the
 * same transaction. NULLS NOT DISTINCT (PostgreSQL 15) makes a missing team one group, as GROUP BY does.
 */
const ROLLUP_SQL = `
CREATE TABLE usage_daily (
  day DATE NOT NULL,
  ${ROLLUP_DIMS.map((d) => `${d} ${TEXT}`).join(',\n  ')},
  ${ROLLUP_METRICS.map((m) => `${m} NUMERIC NOT NULL`).join(',\n  ')},
  UNIQUE NULLS NOT DISTINCT (day, ${dims})
);
INSERT INTO usage_daily ${rollupSelect('usage_events')};
CREATE FUNCTION usage_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_daily ${rollupSelect('new_rows')}
  ON CONFLICT (day, ${dims}) DO UPDATE SET
    ${ROLLUP_METRICS.map((m) => `${m} = usage_daily.${m} + EXCLUDED.${m}`).join(', ')};
  RETURN NULL;
END $$;
CREATE FUNCTION usage_daily_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE usage_daily u SET ${ROLLUP_METRICS.map((m) => `${m} = u.${m} - o.${m}`).join(', ')}
  FROM (${rollupSelect('old_rows')}) AS o(day, ${dims}, ${ROLLUP_METRICS.join(', ')})
  WHERE u.day = o.day AND ${ROLLUP_DIMS.map((d) => `u.${d} IS NOT DISTINCT FROM o.${d}`).join(' AND ')};
  DELETE FROM usage_daily WHERE requests = 0;
  RETURN NULL;
END $$;
CREATE TRIGGER usage_daily_on_insert AFTER INSERT ON usage_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_add();
CREATE TRIGGER usage_daily_on_delete AFTER DELETE ON usage_events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_subtract();
`;

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'foundation: usage events, cost rows, keys, budgets',
    sql: `
-- The primary key is what makes appends idempotent: INSERT ... ON CONFLICT (id) DO NOTHING.
CREATE TABLE usage_events (
  ${usageColumnsDdl}
);
CREATE TABLE cost_rows (
  _row_id ${TEXT} NOT NULL,
  _source_file ${TEXT},
  _source_line BIGINT,
  _slice_key ${TEXT},
  _ingest_id ${TEXT},
  ${focusColumnsDdl}
);
CREATE TABLE ingests (
  id ${TEXT} PRIMARY KEY,
  file ${TEXT} NOT NULL,
  file_hash ${TEXT} NOT NULL,
  format ${TEXT} NOT NULL,
  slice_key ${TEXT},
  rows_loaded BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE virtual_keys (
  id ${TEXT} PRIMARY KEY,
  key_hash ${TEXT} NOT NULL UNIQUE,
  key_prefix ${TEXT} NOT NULL,
  team ${TEXT},
  app ${TEXT},
  environment ${TEXT},
  cost_center ${TEXT},
  tags JSON,
  config JSON,
  status ${TEXT} NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ,
  replaced_by ${TEXT}
);
CREATE TABLE budgets (
  id ${TEXT} PRIMARY KEY,
  scope_kind ${TEXT} NOT NULL,
  scope_value ${TEXT},
  period ${TEXT} NOT NULL,
  amount_nanos BIGINT NOT NULL,
  thresholds JSON NOT NULL,
  hard BOOLEAN NOT NULL,
  starts_at TIMESTAMPTZ,
  ends_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE kv (
  namespace ${TEXT} NOT NULL,
  key ${TEXT} NOT NULL,
  value JSON,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (namespace, key)
);
`,
  },
  {
    id: 7,
    name: 'business KPI series',
    sql: `
CREATE TABLE business_kpis (
  day DATE NOT NULL,
  app ${TEXT},
  team ${TEXT},
  metric ${TEXT} NOT NULL,
  value NUMERIC(38,6) NOT NULL,
  source ${TEXT} NOT NULL
);
`,
  },
  {
    id: 10,
    name: 'users, sessions, audit log, incident states',
    sql: `
CREATE TABLE users (
  id ${TEXT} PRIMARY KEY,
  name ${TEXT} NOT NULL,
  role ${TEXT} NOT NULL,
  teams JSON NOT NULL,
  token_hash ${TEXT} NOT NULL UNIQUE,
  token_prefix ${TEXT} NOT NULL,
  status ${TEXT} NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);
CREATE TABLE sessions (
  id_hash ${TEXT} PRIMARY KEY,
  user_id ${TEXT} NOT NULL,
  csrf_token ${TEXT} NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE audit_log (
  occurred_at TIMESTAMPTZ NOT NULL,
  actor ${TEXT} NOT NULL,
  action ${TEXT} NOT NULL,
  target ${TEXT},
  details JSON
);
CREATE TABLE incident_states (
  id ${TEXT} PRIMARY KEY,
  state ${TEXT} NOT NULL,
  changed_by ${TEXT} NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL,
  note ${TEXT}
);
`,
  },
  {
    id: 900,
    name: 'indexes the reports read by, and the private schema of the SQL reader',
    sql: `
-- Every report takes a time window: usage by start_time, cost rows by charge period.
CREATE INDEX usage_events_start_time ON usage_events (start_time);
CREATE INDEX cost_rows_charge_period ON cost_rows ("ChargePeriodStart");
CREATE INDEX cost_rows_slice ON cost_rows (_slice_key);
CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at);
CREATE INDEX sessions_user ON sessions (user_id);
-- The credential of the role that runs \`tally sql\` lives outside the schema that role may read.
CREATE SCHEMA tally_private;
CREATE TABLE tally_private.sql_reader (role TEXT PRIMARY KEY, password TEXT NOT NULL);
`,
  },
  {
    id: 901,
    name: 'usage_daily: an exact daily rollup of the ledger, kept by triggers',
    sql: ROLLUP_SQL,
  },
  {
    id: 925,
    name: "cost rows by ingest id: loadCostRows replaces an ingest's rows without a scan",
    sql: 'CREATE INDEX cost_rows_ingest ON cost_rows (_ingest_id);',
  },
  {
    id: 935,
    name: 'the ledger flush adds its own rollup rows: the insert trigger steps aside for it',
    // ADR 0034: a flush whose COPY stored every event of its batch sums the batch in Node (it holds the
    // events) and upserts those rows itself, in the same transaction; it says so for its COPY alone with the
    // transaction-local setting tally.rollup_by_flush. Every other insert is summed here, as before.
    sql: `
CREATE OR REPLACE FUNCTION usage_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tally.rollup_by_flush', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO usage_daily ${rollupSelect('new_rows')}
  ON CONFLICT (day, ${dims}) DO UPDATE SET
    ${ROLLUP_METRICS.map((m) => `${m} = usage_daily.${m} + EXCLUDED.${m}`).join(', ')};
  RETURN NULL;
END $$;
`,
  },
  {
    id: 934,
    name: "one ingest record per file's bytes: two runs racing on one file stored it twice before",
    // Ingest runs now store one at a time (ADR 0034); this index is the backstop against a writer that does not
    // take the lock (an older Tally). A store written before may hold a file twice: keep its latest ingest (a
    // later run of the same slice replaced the earlier one's rows) and drop the others' rows and records.
    sql: `
CREATE TEMP TABLE ingests_superseded ON COMMIT DROP AS
  SELECT i.id FROM ingests i
  WHERE EXISTS (SELECT 1 FROM ingests j
                WHERE j.file_hash = i.file_hash AND (j.ingested_at, j.id) > (i.ingested_at, i.id));
DELETE FROM cost_rows WHERE _ingest_id IN (SELECT id FROM ingests_superseded);
DELETE FROM ingests WHERE id IN (SELECT id FROM ingests_superseded);
CREATE UNIQUE INDEX ingests_file_hash ON ingests (file_hash);
`,
  },
  {
    id: 936,
    name: 'business_kpis.kpi_group: a stored KPI can belong to a declared group of apps (ADR 0041)',
    sql: 'ALTER TABLE business_kpis ADD COLUMN kpi_group TEXT',
  },
  {
    // Owner: alerts (issue 13 item 3, issue 11 item 4; ADR 0059). As DuckDB's migration 36: every stored old
    // incident id `inc:team=…:<hash>` becomes `inc_` + 24 hex digits of the SHA-256 of its UTF-8 text, in the
    // incident states, the stored incidents and their index, the alerts' de-duplication keys and the audit
    // entries (the old id kept in details.formerId). Only text starting `inc:` is touched: running it again
    // changes nothing.
    id: 937,
    name: 'incident ids name no team: every stored inc:team=… id rewritten to inc_<hex> (ADR 0059)',
    sql: `
INSERT INTO incident_states
  SELECT ${NEW_ID('id')}, state, changed_by, changed_at, note FROM incident_states
  WHERE id LIKE 'inc:%' ON CONFLICT DO NOTHING;
DELETE FROM incident_states WHERE id LIKE 'inc:%';
INSERT INTO kv
  SELECT namespace, ${NEW_ID('key')},
         (value::jsonb || jsonb_build_object('id', ${NEW_ID('key')}))::json, updated_at
  FROM kv WHERE namespace = 'incidents' AND key LIKE 'inc:%' ON CONFLICT DO NOTHING;
DELETE FROM kv WHERE namespace = 'incidents' AND key LIKE 'inc:%';
UPDATE kv SET value = (value::jsonb || jsonb_build_object('ids', COALESCE((
    SELECT jsonb_agg(CASE WHEN x LIKE 'inc:%' THEN ${NEW_ID('x')} ELSE x END ORDER BY n)
    FROM jsonb_array_elements_text(value::jsonb -> 'ids') WITH ORDINALITY AS t(x, n)), '[]'::jsonb)))::json
  WHERE namespace = 'incidents' AND key = '_index' AND json_typeof(value -> 'ids') = 'array';
INSERT INTO kv
  SELECT namespace, 'incident:' || ${NEW_ID('substr(key, 10)')}, value, updated_at
  FROM kv WHERE namespace = 'alerts' AND key LIKE 'incident:inc:%' ON CONFLICT DO NOTHING;
DELETE FROM kv WHERE namespace = 'alerts' AND key LIKE 'incident:inc:%';
UPDATE audit_log
  SET details = (COALESCE(details::jsonb, '{}'::jsonb) || jsonb_build_object('formerId', target))::json,
      target = ${NEW_ID('target')}
  WHERE target LIKE 'inc:%';
`,
  },
];
