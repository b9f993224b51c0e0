/**
 * `validateFile`: checks a FOCUS file against the FOCUS 1.2 rules that matter for analysis, without loading it:
 * column presence, numeric/date-time/currency/key-value formats, not-null and allowed values, and a few
 * cross-column rules. Each failed rule is reported once with a count and an example (line and value).
 */
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { TallyError } from '../core/index.js';
import { openDuckDBStore, type DuckDBSql } from '../store/index.js';
import { fileKind } from './_source.js';
import { Staging, type InputLimits } from './_input.js';
import { focusVersionOf, mapFocusHeaders } from './_detect.js';
import { openSource } from './_read.js';
import { REJECTS } from './_load.js';
import { ident, lit, sqlText } from './_sql.js';
import * as R from './_rules.js';

/** One failed rule. */
export interface RuleFailure {
  rule: string;
  column: string | null;
  count: number;
  example: { line: number; value: string | null } | null;
  message: string;
}

/** The validation report. */
export interface ValidationReport {
  file: string;
  version: string;
  rows: number;
  errors: RuleFailure[];
  warnings: RuleFailure[];
}

interface Check {
  rule: string;
  column: string;
  bad: string;
  message: string;
  severity: 'error' | 'warning';
}

const NUMERIC = `'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$'`;
// FOCUS DateTimeFormat: ISO 8601 in UTC, e.g. 2024-01-01T00:00:00Z (fractional seconds tolerated).
const DATETIME = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?Z$'`;

function checksFor(cols: ReadonlyMap<string, string>): Check[] {
  const out: Check[] = [];
  const t = (c: string) => sqlText(cols.get(c)!);
  const each = (rules: Record<string, string>, make: (col: string, rule: string) => Check) => {
    for (const [col, rule] of Object.entries(rules)) if (cols.has(col)) out.push(make(col, rule));
  };
  each(R.NUMERIC_RULES, (column, rule) => ({
    rule,
    column,
    bad: `${t(column)} IS NOT NULL AND NOT regexp_matches(${t(column)}, ${NUMERIC})`,
    message: `${column} must be a plain decimal number (no currency signs or thousands separators)`,
    severity: 'error',
  }));
  each(R.DATETIME_RULES, (column, rule) => ({
    rule,
    column,
    bad: `${t(column)} IS NOT NULL AND NOT regexp_matches(${t(column)}, ${DATETIME})`,
    message: `${column} must be an ISO 8601 UTC date-time like 2024-01-01T00:00:00Z`,
    severity: 'error',
  }));
  each(R.NOT_NULL_RULES, (column, rule) => ({
    rule,
    column,
    bad: `${t(column)} IS NULL`,
    message: `${column} must not be null`,
    severity: 'error',
  }));
  for (const [column, { rule, values }] of Object.entries(R.ALLOWED_VALUES))
    if (cols.has(column))
      out.push({
        rule,
        column,
        bad: `${t(column)} IS NOT NULL AND ${t(column)} NOT IN (${values.map(lit).join(', ')})`,
        message: `${column} must be one of ${values.join(', ')}`,
        severity: 'error',
      });
  each(R.CURRENCY_RULES, (column, rule) => ({
    rule,
    column,
    bad: `${t(column)} IS NOT NULL AND NOT regexp_matches(${t(column)}, '^[A-Z]{3}$')`,
    message: `${column} must be an ISO 4217 currency code`,
    severity: 'error',
  }));
  each(R.KEY_VALUE_RULES, (column, rule) => ({
    rule,
    column,
    bad: `${t(column)} IS NOT NULL AND NOT (starts_with(${t(column)}, '{') AND coalesce(json_valid(${t(column)}), false))`,
    message: `${column} must be a JSON object`,
    severity: 'error',
  }));
  if (cols.has('ChargeFrequency') && cols.has('ChargeCategory'))
    out.push({
      rule: 'ChargeFrequency-C-004-C',
      column: 'ChargeFrequency',
      bad: `${t('ChargeCategory')} = 'Purchase' AND ${t('ChargeFrequency')} = 'Usage-Based'`,
      message: 'ChargeFrequency must not be Usage-Based when ChargeCategory is Purchase',
      severity: 'error',
    });
  if (cols.has('ChargePeriodStart') && cols.has('ChargePeriodEnd'))
    out.push({
      rule: 'ChargePeriodEnd-C-004-M',
      column: 'ChargePeriodEnd',
      bad: `TRY_CAST(${t('ChargePeriodEnd')} AS TIMESTAMPTZ) < TRY_CAST(${t('ChargePeriodStart')} AS TIMESTAMPTZ)`,
      message: 'ChargePeriodEnd must not be before ChargePeriodStart (exclusive end bound)',
      severity: 'error',
    });
  if (cols.has('ConsumedQuantity') && cols.has('ChargeCategory'))
    out.push({
      rule: 'ConsumedQuantity-C-004-C',
      column: 'ConsumedQuantity',
      bad: `${t('ChargeCategory')} <> 'Usage' AND ${t('ConsumedQuantity')} IS NOT NULL`,
      message: 'ConsumedQuantity should be null when ChargeCategory is not Usage',
      severity: 'warning',
    });
  return out;
}

async function runChecks(
  store: DuckDBSql,
  checks: readonly Check[],
  cols: ReadonlyMap<string, string>,
  lineOffset: number,
) {
  if (checks.length === 0) return [];
  const agg = checks
    .map((c, i) => `count(*) FILTER (WHERE ${c.bad}) AS n${i}, min(rowid) FILTER (WHERE ${c.bad}) AS r${i}`)
    .join(', ');
  const row = (await store.query(`SELECT ${agg} FROM _tally_raw`))[0] ?? {};
  const out: (RuleFailure & { severity: 'error' | 'warning' })[] = [];
  for (const [i, c] of checks.entries()) {
    const n = Number(row[`n${i}`] ?? 0);
    if (n === 0) continue;
    const rowid = Number(row[`r${i}`]);
    const ex = await store.query(
      `SELECT CAST(${cols.get(c.column)!} AS VARCHAR) AS v FROM _tally_raw WHERE rowid = $1`,
      [rowid],
    );
    out.push({
      rule: c.rule,
      column: c.column,
      count: n,
      example: { line: rowid + lineOffset, value: (ex[0]?.['v'] as string | null) ?? null },
      message: c.message,
      severity: c.severity,
    });
  }
  return out;
}

/** Validates one FOCUS file (csv, csv.gz or parquet) without touching any store. */
export async function validateFile(path: string, limits?: InputLimits): Promise<ValidationReport> {
  const kind = fileKind(path);
  if (!kind)
    throw new TallyError('invalid_input', `${basename(path)}: expected a .csv, .csv.gz or .parquet file`, {
      file: path,
    });
  // A scratch in-memory DuckDB is the file engine here: nothing touches the configured store.
  const store = await openDuckDBStore({ path: ':memory:' });
  const staging = new Staging(limits);
  try {
    await store.exec("SET TimeZone = 'UTC'");
    // The in-memory database spills to disk for files larger than memory.
    await store.exec(`SET temp_directory = ${lit(join(tmpdir(), 'tally-validate'))}`);
    const src = await openSource(store, path, kind, staging);
    try {
      await store.exec(
        `CREATE TEMP TABLE _tally_raw AS SELECT * FROM ${src.sql.replaceAll('@@REJ@@', REJECTS)}`,
      );
    } catch (err) {
      throw new TallyError('invalid_input', `${basename(path)}: cannot read (${(err as Error).message})`, {
        file: path,
      });
    }
    const mapped = mapFocusHeaders(src.headers);
    const cols = new Map(mapped.filter((m) => m.focus).map((m) => [m.focus!, ident(m.staged)]));
    const rows = Number((await store.query('SELECT count(*) AS n FROM _tally_raw'))[0]?.['n'] ?? 0);
    const errors: RuleFailure[] = [];
    const warnings: RuleFailure[] = [];
    for (const [col, rule] of Object.entries(R.MANDATORY_COLUMNS))
      if (!cols.has(col))
        errors.push({
          rule,
          column: col,
          count: rows,
          example: null,
          message: `the mandatory column ${col} is missing`,
        });
    for (const [col, rule] of Object.entries(R.RECOMMENDED_COLUMNS))
      if (!cols.has(col))
        warnings.push({
          rule,
          column: col,
          count: rows,
          example: null,
          message: `the recommended column ${col} is missing`,
        });
    for (const m of mapped)
      if (!m.focus && !/^x_/.test(m.source))
        warnings.push({
          rule: 'ColumnHandling-C-002-M',
          column: m.source,
          count: rows,
          example: null,
          message: `custom column ${m.source} should be prefixed with x_`,
        });
    if (src.hasHeader) {
      const rej = await store.query(
        `SELECT count(DISTINCT line) AS n, min(line) AS l, arg_min(csv_line, line) AS v FROM ${REJECTS}`,
      );
      const n = Number(rej[0]?.['n'] ?? 0);
      if (n > 0)
        errors.push({
          rule: 'CostAndUsage-D-000-M',
          column: null,
          count: n,
          example: { line: Number(rej[0]?.['l']), value: String(rej[0]?.['v'] ?? '') },
          message: 'records whose number of columns does not match the header',
        });
    }
    for (const f of await runChecks(store, checksFor(cols), cols, src.hasHeader ? 2 : 1)) {
      const { severity, ...failure } = f;
      (severity === 'error' ? errors : warnings).push(failure);
    }
    return { file: path, version: focusVersionOf(src.headers), rows, errors, warnings };
  } finally {
    await store.close();
    staging.remove();
  }
}
