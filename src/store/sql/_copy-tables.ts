/** The tables `tally store copy` moves besides the ledger: columns, how each is cast back, keys and money sums. */
import { FOCUS_COLUMNS, COST_ROW_META, type FocusType } from '../focus-columns.js';

/** How a column's text is cast back on insert. */
export type Kind = 'text' | 'ts' | 'int' | 'bool' | 'json' | 'date' | 'dec10' | 'dec16' | 'dec6';

export const CAST: Record<Kind, (p: string) => string> = {
  text: (p) => p,
  ts: (p) => `CAST(${p} AS TIMESTAMPTZ)`,
  int: (p) => `CAST(${p} AS BIGINT)`,
  bool: (p) => `CAST(${p} AS BOOLEAN)`,
  json: (p) => `CAST(${p} AS JSON)`,
  date: (p) => `CAST(${p} AS DATE)`,
  dec10: (p) => `CAST(${p} AS DECIMAL(38,10))`,
  dec16: (p) => `CAST(${p} AS DECIMAL(38,16))`,
  dec6: (p) => `CAST(${p} AS DECIMAL(38,6))`,
};

const FOCUS_KIND: Record<FocusType, Kind> = {
  string: 'text',
  money: 'dec10',
  price: 'dec16',
  quantity: 'dec10',
  datetime: 'ts',
  json: 'json',
};

/** One table as the copy sees it: columns, the unique column it pages by (or none: read at once), money sums. */
export interface TableSpec {
  readonly name: string;
  readonly columns: readonly (readonly [string, Kind])[];
  readonly key: string | null;
  readonly sums: readonly string[];
}

const t = (name: string, key: string | null, sums: string[], columns: [string, Kind][]): TableSpec => ({
  name,
  key,
  sums,
  columns,
});

/** Every table but the ledger, in an order that keeps references valid (users before their sessions). */
export const TABLES: readonly TableSpec[] = [
  t(
    'cost_rows',
    '_row_id',
    ['"BilledCost"', '"EffectiveCost"', '"ListCost"'],
    [
      ...COST_ROW_META.map((c): [string, Kind] => [c, c === '_source_line' ? 'int' : 'text']),
      ...FOCUS_COLUMNS.map((c): [string, Kind] => [`"${c.name}"`, FOCUS_KIND[c.type]]),
    ],
  ),
  t(
    'ingests',
    'id',
    [],
    [
      ['id', 'text'],
      ['file', 'text'],
      ['file_hash', 'text'],
      ['format', 'text'],
      ['slice_key', 'text'],
      ['rows_loaded', 'int'],
      ['rows_rejected', 'int'],
      ['ingested_at', 'ts'],
    ],
  ),
  t(
    'virtual_keys',
    'id',
    [],
    [
      ['id', 'text'],
      ['key_hash', 'text'],
      ['key_prefix', 'text'],
      ['team', 'text'],
      ['app', 'text'],
      ['environment', 'text'],
      ['cost_center', 'text'],
      ['tags', 'json'],
      ['config', 'json'],
      ['status', 'text'],
      ['created_at', 'ts'],
      ['revoked_at', 'ts'],
      ['replaced_by', 'text'],
    ],
  ),
  t(
    'budgets',
    'id',
    ['amount_nanos'],
    [
      ['id', 'text'],
      ['scope_kind', 'text'],
      ['scope_value', 'text'],
      ['period', 'text'],
      ['amount_nanos', 'int'],
      ['thresholds', 'json'],
      ['hard', 'bool'],
      ['starts_at', 'ts'],
      ['ends_at', 'ts'],
      ['created_at', 'ts'],
    ],
  ),
  t(
    'kv',
    null,
    [],
    [
      ['namespace', 'text'],
      ['key', 'text'],
      ['value', 'json'],
      ['updated_at', 'ts'],
    ],
  ),
  t(
    'business_kpis',
    null,
    ['value'],
    [
      ['day', 'date'],
      ['app', 'text'],
      ['team', 'text'],
      ['kpi_group', 'text'],
      ['metric', 'text'],
      ['value', 'dec6'],
      ['source', 'text'],
    ],
  ),
  t(
    'users',
    'id',
    [],
    [
      ['id', 'text'],
      ['name', 'text'],
      ['role', 'text'],
      ['teams', 'json'],
      ['token_hash', 'text'],
      ['token_prefix', 'text'],
      ['status', 'text'],
      ['created_at', 'ts'],
      ['revoked_at', 'ts'],
    ],
  ),
  t(
    'sessions',
    'id_hash',
    [],
    [
      ['id_hash', 'text'],
      ['user_id', 'text'],
      ['csrf_token', 'text'],
      ['created_at', 'ts'],
      ['expires_at', 'ts'],
    ],
  ),
  t(
    'audit_log',
    null,
    [],
    [
      ['occurred_at', 'ts'],
      ['actor', 'text'],
      ['action', 'text'],
      ['target', 'text'],
      ['details', 'json'],
    ],
  ),
  t(
    'incident_states',
    'id',
    [],
    [
      ['id', 'text'],
      ['state', 'text'],
      ['changed_by', 'text'],
      ['changed_at', 'ts'],
      ['note', 'text'],
    ],
  ),
];
