/**
 * Builds the SELECT that reads a source (read_csv / read_parquet / a raw staging table) as typed rows: canonical
 * FOCUS columns, vendor columns as one x_Extra JSON object, the
 * classification key, and `_reason` (why a row cannot load, or NULL). It is streamed straight into cost_rows.
 */
import type { FocusType } from '../store/index.js';
import { FOCUS_COLUMNS } from '../store/index.js';
import { ident, lit, sqlText, typedFrom, sqlTypeOf, SOURCE_COLUMNS } from './_sql.js';

/** How a source fills the canonical columns: raw text SQL per column, over the source's staged columns. */
export interface SourceMapping {
  /** FOCUS column name -> SQL giving its raw text. */
  readonly columns: ReadonlyMap<string, string>;
  /** Vendor columns kept in x_Extra: name -> raw text SQL. */
  readonly extras: readonly (readonly [string, string])[];
  /** Source cells checked for readability even though no column takes them as-is (e.g. Azure Quantity). */
  readonly checks: readonly { readonly label: string; readonly raw: string; readonly type: FocusType }[];
  /** Raw text SQL of the classification hints that are not FOCUS columns. */
  /** True when the source already yields NULL for empty/NULL cells (read_csv with nullstr): skip text cleaning. */
  readonly clean?: boolean;
  /** Numbers use a decimal comma (semicolon-separated files): "1.234,56". */
  readonly decimalComma?: boolean;
  readonly keys: {
    readonly resourceType: string | null;
    readonly meterCategory: string | null;
    readonly meterSubcategory: string | null;
  };
}

const KEY_COLS = [
  'ProviderName',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  '_k_rt',
  '_k_mcat',
  '_k_msub',
  'SkuMeter',
  'ChargeDescription',
] as const;

/** Classification input columns of the typed table, in the order the key hash uses. */
export const CLASS_KEY_COLUMNS: readonly string[] = KEY_COLS;

/** CREATE TEMP TABLE _tally_typed AS ... from `source` (a FROM-able SQL text) with `m`. */
export function typedSelectSql(source: string, m: SourceMapping): string {
  // Layer 1: cleaned text of every source cell we use.
  const l1: string[] = [];
  const text = m.clean ? (raw: string) => raw : sqlText;
  for (const col of SOURCE_COLUMNS) {
    const raw = m.columns.get(col.name);
    l1.push(`${raw === undefined ? `CAST(NULL AS VARCHAR)` : text(raw)} AS ${ident(`t_${col.name}`)}`);
  }
  m.extras.forEach(([, raw], i) => l1.push(`${text(raw)} AS ${ident(`e_${i}`)}`));
  m.checks.forEach((c, i) => l1.push(`${sqlText(c.raw)} AS ${ident(`k_${i}`)}`));
  const key = (raw: string | null, name: string) =>
    l1.push(`${raw === null ? 'CAST(NULL AS VARCHAR)' : text(raw)} AS ${ident(name)}`);
  key(m.keys.resourceType, '_k_rt');
  key(m.keys.meterCategory, '_k_mcat');
  key(m.keys.meterSubcategory, '_k_msub');

  // Layer 2: typed values (text kept beside them for the checks in layer 3).
  const l2: string[] = [];
  const bad: string[] = [];
  for (const col of SOURCE_COLUMNS) {
    const t = ident(`t_${col.name}`);
    if (!m.columns.has(col.name)) {
      l2.push(`CAST(NULL AS ${sqlTypeOf(col.type)}) AS ${ident(col.name)}`);
      continue;
    }
    const { value, bad: check } = typedFrom(t, col.type, m.decimalComma);
    l2.push(`${value} AS ${ident(col.name)}`);
    if (check) {
      l2.push(t);
      bad.push(
        `CASE WHEN ${check.replaceAll(value, ident(col.name))} THEN ${lit(`${col.name}: cannot read `)} || ${t} END`,
      );
    }
  }
  m.checks.forEach((c, i) => {
    const k = ident(`k_${i}`);
    const { bad: check } = typedFrom(k, c.type, m.decimalComma);
    if (check) {
      l2.push(k);
      bad.push(`CASE WHEN ${check} THEN ${lit(`${c.label}: cannot read `)} || ${k} END`);
    }
  });
  const extra =
    m.extras.length === 0
      ? 'CAST(NULL AS VARCHAR)'
      : `CAST(json_object(${m.extras.map(([name], i) => `${lit(name)}, ${ident(`e_${i}`)}`).join(', ')}) AS VARCHAR)`;
  l2.push(`${extra} AS x_Extra`, '_k_rt', '_k_mcat', '_k_msub');

  bad.push(
    `CASE WHEN "ChargePeriodStart" IS NULL AND "t_ChargePeriodStart" IS NULL THEN 'ChargePeriodStart: missing' END`,
  );
  if (!l2.includes(ident('t_ChargePeriodStart'))) l2.push(ident('t_ChargePeriodStart'));
  bad.push(
    `CASE WHEN "BilledCost" IS NULL AND "EffectiveCost" IS NULL AND "t_BilledCost" IS NULL THEN 'BilledCost: missing' END`,
  );
  if (!l2.includes(ident('t_BilledCost'))) l2.push(ident('t_BilledCost'));

  const outCols = [...SOURCE_COLUMNS.map((c) => ident(c.name)), 'x_Extra', '_k_rt', '_k_mcat', '_k_msub'];
  return `SELECT ${outCols.join(', ')},
  hash(${KEY_COLS.map(ident).join(', ')}) AS _ck,
  nullif(concat_ws('; ', ${bad.join(',\n    ')}), '') AS _reason
FROM (SELECT ${l2.join(',\n  ')} FROM (SELECT ${l1.join(',\n    ')} FROM ${source}))`;
}

/** The distinct classification keys of a source (one cheap pass reading only the key columns). */
export function keysSelectSql(source: string, m: SourceMapping): string {
  const text = m.clean ? (raw: string) => raw : sqlText;
  const raw = (c: string): string => {
    if (c === '_k_rt') return m.keys.resourceType ?? 'NULL';
    if (c === '_k_mcat') return m.keys.meterCategory ?? 'NULL';
    if (c === '_k_msub') return m.keys.meterSubcategory ?? 'NULL';
    return m.columns.get(c) ?? 'NULL';
  };
  const inner = KEY_COLS.map(
    (c) => `CAST(${raw(c) === 'NULL' ? 'NULL' : text(raw(c))} AS VARCHAR) AS ${ident(c)}`,
  );
  return `SELECT hash(${KEY_COLS.map(ident).join(', ')}) AS ck, ${KEY_COLS.map((c) => `any_value(${ident(c)}) AS ${ident(c)}`).join(', ')}
FROM (SELECT ${inner.join(', ')} FROM ${source}) GROUP BY ck`;
}

/** Columns of cost_rows in insert order (FOCUS + x_Ai* + x_Extra). */
export const COST_COLUMNS: readonly string[] = FOCUS_COLUMNS.map((c) => c.name);
