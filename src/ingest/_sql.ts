/**
 * SQL expression builders (DuckDB dialect) that turn raw text cells into typed FOCUS values, tolerating the
 * real-world mess: the literal NULL, thousands separators and currency signs, MM/DD/YYYY dates, dates without a
 * zone (read as UTC: the session runs with TimeZone=UTC), tags without braces, negative refund quantities.
 */
import { FOCUS_COLUMNS, type FocusType } from '../store/index.js';

/** Quotes an identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** Quotes a string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Text cell to trimmed text, with '', NULL and null read as missing. */
export function sqlText(raw: string): string {
  return `CASE WHEN trim(${raw}) IN ('', 'NULL', 'null', 'Null') THEN NULL ELSE trim(${raw}) END`;
}

const DECIMAL: Record<'money' | 'price' | 'quantity', string> = {
  money: 'DECIMAL(38,10)',
  quantity: 'DECIMAL(38,10)',
  price: 'DECIMAL(38,16)',
};

/** Text to an exact decimal: plain first, then with thousands separators, currency signs and (x) negatives. */
export function sqlNumber(text: string, type: 'money' | 'price' | 'quantity', decimalComma = false): string {
  const t = DECIMAL[type];
  const signed = `regexp_replace(${text}, '^\\((.*)\\)$', '-\\1')`;
  // Semicolon-separated exports come from locales that write 1.234,56: dots group, the comma is the decimal.
  const cleaned = decimalComma
    ? `replace(regexp_replace(${signed}, '[$€£¥.\\s]', '', 'g'), ',', '.')`
    : `regexp_replace(${signed}, '[$€£¥,\\s]', '', 'g')`;
  // DuckDB parses DECIMAL(18,x) (64-bit) ~30x faster than DECIMAL(38,x) (128-bit): try the narrow type first and
  // widen; only values that do not fit (>= 1e8 USD per row, > 18 digits) take the slow path. Exact either way.
  const narrow = type === 'price' ? 'DECIMAL(18,16)' : 'DECIMAL(18,10)';
  return `coalesce(CAST(TRY_CAST(${text} AS ${narrow}) AS ${t}), TRY_CAST(${text} AS ${t}), TRY_CAST(${cleaned} AS ${t}))`;
}

/** strptime formats tried after ISO 8601: US dates as Azure EA exports write them. */
const DATE_FORMATS = [
  // Two-digit years first: '%m/%d/%Y' would read 4/1/25 as the year 25; '%y' refuses a four-digit year.
  '%m/%d/%y',
  '%m/%d/%Y',
  '%m/%d/%Y %H:%M:%S',
  '%m/%d/%Y %I:%M:%S %p',
  '%m/%d/%Y %H:%M',
  '%Y%m%d',
  // Day.month.year, as semicolon-separated (European) exports write dates; dots make it unambiguous.
  '%d.%m.%Y',
  '%d.%m.%Y %H:%M:%S',
];

/** Text to TIMESTAMPTZ: ISO 8601 (zone or not; no zone means UTC), then US formats. */
export function sqlTimestamp(text: string): string {
  const fmts = `[${DATE_FORMATS.map(lit).join(', ')}]`;
  // Only text that starts like ISO (YYYY-) goes through DuckDB's cast: it also accepts slashes and reads
  // 4/1/25 as the year 4. Everything else is parsed by the explicit formats.
  return `coalesce(CASE WHEN ${text} LIKE '____-%' THEN TRY_CAST(${text} AS TIMESTAMPTZ) END, CAST(try_strptime(${text}, ${fmts}) AS TIMESTAMPTZ))`;
}

/** Text to a JSON object text; Azure writes tags without braces ("a": "1","b": "2"). */
export function sqlJsonText(text: string): string {
  return `CASE WHEN ${text} IS NULL THEN NULL WHEN starts_with(${text}, '{') OR starts_with(${text}, '[') THEN ${text} ELSE '{' || ${text} || '}' END`;
}

/** A column's typed expression from its cleaned text, and the check that flags a value that did not parse. */
export function typedFrom(
  text: string,
  type: FocusType,
  decimalComma = false,
): { value: string; bad: string | null } {
  switch (type) {
    case 'string':
      return { value: text, bad: null };
    case 'money':
    case 'price':
    case 'quantity': {
      const value = sqlNumber(text, type, decimalComma);
      return { value, bad: `${text} IS NOT NULL AND ${value} IS NULL` };
    }
    case 'datetime': {
      const value = sqlTimestamp(text);
      return { value, bad: `${text} IS NOT NULL AND ${value} IS NULL` };
    }
    case 'json': {
      const value = sqlJsonText(text);
      return { value, bad: `${value} IS NOT NULL AND NOT coalesce(json_valid(${value}), false)` };
    }
  }
}

/** The physical SQL type of each canonical column (for empty columns). */
export function sqlTypeOf(type: FocusType): string {
  switch (type) {
    case 'string':
      return 'VARCHAR';
    case 'money':
    case 'quantity':
      return 'DECIMAL(38,10)';
    case 'price':
      return 'DECIMAL(38,16)';
    case 'datetime':
      return 'TIMESTAMPTZ';
    case 'json':
      return 'VARCHAR';
  }
}

/** Columns whose absence or failure makes a row unloadable. */
export const REQUIRED_FOR_LOAD = ['ChargePeriodStart'] as const;

/** Canonical columns that ingest fills from files (not x_Ai*, not x_Extra: those are computed). */
export const SOURCE_COLUMNS = FOCUS_COLUMNS.filter((c) => !c.name.startsWith('x_'));
