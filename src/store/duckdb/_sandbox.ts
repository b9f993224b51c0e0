/**
 * The sandbox of `readOnlySql`: a user's statement runs only if its parse tree (DuckDB's json_serialize_sql)
 * names nothing but the store's own tables and views, CTEs, and generator table functions. DuckDB's file and
 * network readers (read_csv, read_text, glob, `FROM 'x.csv'` replacement scans, https:// paths, ATTACHed
 * catalogs) all appear in that tree as a table function or a table name, so they are refused before anything
 * runs. Why a parse-tree allowlist and not `enable_external_access=false`: that setting is global to the DuckDB
 * instance, and the same instance ingests files with read_csv in long-running processes (ADR 0016).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TallyError } from '../../core/index.js';

/** Table functions a query may call: generators, none of which reads a file, the network or the catalog. */
const TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/**
 * Scalar functions refused: they read settings or the process environment, or write (sequences, the log).
 * Unknown functions cannot pull in an extension: the store opens with extension autoloading off.
 */
const DENIED_FUNCTIONS = new Set(['current_setting', 'getenv', 'nextval', 'currval', 'setseed', 'write_log']);

/** Settings `current_setting` may read, named by a literal: sizing an operator checks, never a path or secret. */
const READABLE_SETTINGS = new Set(['memory_limit', 'threads', 'timezone']);

/** FROM-clause node types of DuckDB's parse tree that only combine other nodes (checked as the walk reaches them). */
const PLAIN_REFS = new Set(['SUBQUERY', 'JOIN', 'EMPTY', 'EXPRESSION_LIST', 'PIVOT']);

/** SHOW_REF names that list the store's own tables (`SHOW TABLES`). */
const SHOW_NAMES = new Set(['', '"tables"']);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const refuse = (why: string): never => {
  throw new TallyError('forbidden', `tally sql reads only the store's tables: ${why}`);
};

/** What a query may name: the store's own tables and views; and the catalog's other names, which it may not. */
export interface Relations {
  readonly db: string;
  /** The store's tables and views (lower case). */
  readonly own: ReadonlySet<string>;
  /** Every other table or view the binder could resolve a bare name to (system views such as duckdb_databases). */
  readonly other: ReadonlySet<string>;
}

/** Reads the store's relations (once per query: a migration or a later table must not be missed). */
export async function storeRelations(conn: DuckDBConnection): Promise<Relations> {
  const rows = (
    await conn.runAndReadAll(`SELECT lower(table_name),
        database_name = current_database() AND schema_name = 'main' AND NOT temporary FROM duckdb_tables()
      UNION ALL SELECT lower(view_name),
        database_name = current_database() AND schema_name = 'main' AND NOT temporary AND NOT internal FROM duckdb_views()`)
  ).getRows();
  const own = new Set<string>();
  const other = new Set<string>();
  for (const [n, isOwn] of rows) (isOwn === true ? own : other).add(String(n));
  for (const n of own) other.delete(n);
  const db = String((await conn.runAndReadAll('SELECT current_database()')).getRows()[0]?.[0] ?? '');
  return { db, own, other };
}

/** Parses one statement with DuckDB's own parser and returns its tree; refuses what cannot be serialised. */
async function parseTree(conn: DuckDBConnection, sql: string): Promise<JsonObject> {
  // The text travels as a parameter: nothing the user wrote is spliced into this statement.
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS j', [sql]);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}')) as JsonObject;
  if (tree['error'] === true) {
    const msg = String(tree['error_message'] ?? 'cannot parse');
    if (tree['error_type'] === 'parser') throw new TallyError('invalid_input', `SQL error: ${msg}`);
    throw new TallyError(
      'forbidden',
      'tally sql only runs reads (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN SELECT); this statement is not one',
    );
  }
  return tree;
}

/**
 * Checks a statement against the allowlist; throws `forbidden` naming the first thing it refuses.
 * `EXPLAIN [ANALYZE]` is checked as the statement it explains.
 */
export async function checkReadOnlyStatement(
  conn: DuckDBConnection,
  sql: string,
  relations: Relations,
): Promise<void> {
  // One statement only: a second one would run unchecked (json_serialize_sql would serialise both, but
  // the count is the simpler rule to state).
  let count;
  try {
    count = (await conn.extractStatements(sql)).count;
  } catch (err) {
    throw new TallyError('invalid_input', `SQL error: ${(err as Error).message}`);
  }
  if (count !== 1) throw new TallyError('invalid_input', `give exactly one statement (got ${count})`);
  const explained = /^\s*EXPLAIN(\s+ANALY[SZ]E)?\s+/i.exec(sql);
  const tree = await parseTree(conn, explained ? sql.slice(explained[0].length) : sql);
  const nodes: JsonObject[] = [];
  collect(tree, nodes);
  const ctes = new Set<string>();
  for (const n of nodes) {
    const map = n['cte_map'];
    if (isObject(map) && Array.isArray(map['map']))
      for (const e of map['map']) if (isObject(e)) ctes.add(String(e['key']).toLowerCase());
  }
  // CTEs are scoped but collected here for the whole statement: a CTE named like a system view in one scope
  // would let a bare name in another scope reach that view.
  for (const c of ctes) if (relations.other.has(c)) refuse(`a CTE may not be named ${c}`);
  for (const n of nodes) {
    if (typeof n['function_name'] === 'string') checkFunction(n);
    if (isTableRef(n)) checkTableRef(n, relations, ctes);
  }
}

function checkFunction(n: JsonObject): void {
  const name = String(n['function_name']).toLowerCase();
  const schema = String(n['schema'] ?? '');
  const catalog = String(n['catalog'] ?? '');
  if (catalog !== '' || (schema !== '' && schema !== 'main'))
    refuse(`${catalog}.${schema}.${name} is not allowed`);
  if (name === 'current_setting' && readsSafeSetting(n)) return;
  if (DENIED_FUNCTIONS.has(name) || name.startsWith('read_') || name.endsWith('_scan'))
    refuse(`the function ${name} is not allowed`);
}

/** current_setting('memory_limit') and the like: one string literal from READABLE_SETTINGS. */
function readsSafeSetting(n: JsonObject): boolean {
  const args = n['children'];
  if (!Array.isArray(args) || args.length !== 1 || !isObject(args[0])) return false;
  const value = args[0]['value'];
  return (
    args[0]['class'] === 'CONSTANT' &&
    isObject(value) &&
    typeof value['value'] === 'string' &&
    READABLE_SETTINGS.has(value['value'].toLowerCase())
  );
}

function checkTableRef(n: JsonObject, relations: Relations, ctes: ReadonlySet<string>): void {
  const type = String(n['type']);
  if (PLAIN_REFS.has(type)) return;
  if (type === 'SHOW_REF') {
    if (!SHOW_NAMES.has(String(n['table_name'] ?? '')))
      refuse(`SHOW ${String(n['table_name'])} is not allowed`);
    return;
  }
  if (type === 'TABLE_FUNCTION') {
    const fn = n['function'];
    const name = isObject(fn) ? String(fn['function_name']).toLowerCase() : '?';
    if (!TABLE_FUNCTIONS.has(name))
      refuse(`the table function ${name} is not allowed (allowed: ${[...TABLE_FUNCTIONS].join(', ')})`);
    return;
  }
  if (type !== 'BASE_TABLE') return refuse(`a ${type} in FROM is not allowed`);
  const name = String(n['table_name'] ?? '');
  const catalog = String(n['catalog_name'] ?? '');
  const schema = String(n['schema_name'] ?? '');
  if ((catalog !== '' && catalog !== relations.db) || (schema !== '' && schema !== 'main'))
    refuse(`${[catalog, schema, name].filter(Boolean).join('.')} is outside the store`);
  // A name that is not an identifier would be a file or URL (replacement scan), never a table of ours.
  const key = name.toLowerCase();
  if (!IDENTIFIER.test(name) || !(relations.own.has(key) || ctes.has(key)))
    refuse(`${name} is not a table of the store (tables: ${[...relations.own].sort().join(', ')})`);
}

/** A FROM-clause node: typed, aliased and located, but not an expression (expressions carry a class). */
function isTableRef(n: JsonObject): boolean {
  return typeof n['type'] === 'string' && 'alias' in n && 'query_location' in n && !('class' in n);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function collect(v: Json, out: JsonObject[]): void {
  if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (isObject(v)) {
    out.push(v);
    for (const x of Object.values(v)) collect(x, out);
  }
}
