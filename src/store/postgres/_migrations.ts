/**
 * Numbered migrations for the PostgreSQL backend: the same tables and columns as DuckDB's (so `tally store copy`
 * moves rows one to one), in PostgreSQL's types. Append only: never edit a migration that has shipped. Ids
 * follow DuckDB's for the same tables; ids from 900 are PostgreSQL's own (indexes, the SQL reader's schema).
 */
import { FOCUS_COLUMNS, type FocusType } from '../focus-columns.js';

/** One schema change. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

const physical: Record<FocusType, string> = {
  string: 'TEXT',
  // Exact decimals, as DuckDB's DECIMAL(38,10) / (38,16): sums stay exact in NUMERIC.
  money: 'NUMERIC(38,10)',
  price: 'NUMERIC(38,16)',
  quantity: 'NUMERIC(38,10)',
  datetime: 'TIMESTAMPTZ',
  json: 'JSONB',
};

const focusColumnsDdl = FOCUS_COLUMNS.map((col) => `"${col.name}" ${physical[col.type]}`).join(',\n  ');

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'foundation: usage events, cost rows, keys, budgets',
    sql: `
-- The primary key is what makes appends idempotent: INSERT ... ON CONFLICT (id) DO NOTHING.
CREATE TABLE usage_events (
  id TEXT PRIMARY KEY,
  start_time TIMESTAMPTZ NOT NULL,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  key_id TEXT,
  team TEXT,
  app TEXT,
  environment TEXT,
  cost_center TEXT,
  end_user TEXT,
  tags JSONB,
  provider TEXT NOT NULL,
  upstream TEXT,
  deployment TEXT,
  request_model TEXT NOT NULL,
  model TEXT NOT NULL,
  deployment_type TEXT NOT NULL,
  region TEXT,
  operation TEXT NOT NULL,
  streamed BOOLEAN NOT NULL,
  input_tokens BIGINT NOT NULL,
  cached_input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  usage_source TEXT NOT NULL,
  http_status SMALLINT NOT NULL,
  error_class TEXT,
  cache_outcome TEXT NOT NULL,
  attempts SMALLINT NOT NULL,
  cost_nanos BIGINT NOT NULL,
  list_cost_nanos BIGINT NOT NULL,
  saved_cost_nanos BIGINT NOT NULL,
  price_version TEXT
);
CREATE TABLE cost_rows (
  _row_id TEXT NOT NULL,
  _source_file TEXT,
  _source_line BIGINT,
  _slice_key TEXT,
  _ingest_id TEXT,
  ${focusColumnsDdl}
);
CREATE TABLE ingests (
  id TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  file_hash TEXT NOT NULL,
  format TEXT NOT NULL,
  slice_key TEXT,
  rows_loaded BIGINT NOT NULL,
  rows_rejected BIGINT NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE virtual_keys (
  id TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  team TEXT,
  app TEXT,
  environment TEXT,
  cost_center TEXT,
  tags JSONB,
  config JSONB,
  status TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ,
  replaced_by TEXT
);
CREATE TABLE budgets (
  id TEXT PRIMARY KEY,
  scope_kind TEXT NOT NULL,
  scope_value TEXT,
  period TEXT NOT NULL,
  amount_nanos BIGINT NOT NULL,
  thresholds JSONB NOT NULL,
  hard BOOLEAN NOT NULL,
  starts_at TIMESTAMPTZ,
  ends_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE kv (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value JSONB,
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
  app TEXT,
  team TEXT,
  metric TEXT NOT NULL,
  value NUMERIC(38,6) NOT NULL,
  source TEXT NOT NULL
);
`,
  },
  {
    id: 10,
    name: 'users, sessions, audit log, incident states',
    sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  teams JSONB NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_prefix TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE audit_log (
  occurred_at TIMESTAMPTZ NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details JSONB
);
CREATE TABLE incident_states (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TIMESTAMPTZ NOT NULL,
  note TEXT
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
];
