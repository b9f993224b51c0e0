/**
 * `tally sql` on PostgreSQL. A user's statement runs on its own connection, logged in as a role that may only
 * SELECT Tally's tables (`tally_sql_<database>`, created by the store when the connecting user may create
 * roles), in a READ ONLY transaction with a statement timeout, through the extended protocol (one statement).
 *
 * Why a separate login and not `SET ROLE`: the role a session may switch to is checked against the *session*
 * user, so a statement such as `SELECT set_config('role', 'postgres', true)` would take a superuser's session
 * straight back. A session whose login is the reader has nothing to switch to. It is no superuser and has no
 * pg_read_server_files / pg_write_server_files, so pg_read_file, COPY to or from a file and server-side
 * lo_import are refused by PostgreSQL itself; its password sits in a schema it cannot read.
 *
 * When the connecting user may not create roles (a managed service's least-privilege user), the statement runs
 * as that user, still in a READ ONLY transaction with the timeout; such a user has no file access either.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { TallyError } from '../../core/index.js';
import { READ_ONLY_SQL_MAX_ROWS, type Row } from '../store.js';

/** The reader role's name for a database (role names are per cluster; grants are per database). */
export function readerRole(database: string): string {
  return `tally_sql_${database.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 63).toLowerCase();
}

/**
 * Creates the reader role if it is missing and this user may, and grants it SELECT on the tables of schema
 * public (now and later ones, through default privileges). Returns its login, or null when there is none.
 */
export async function ensureSqlReader(
  c: pg.PoolClient | pg.Client,
  grant: boolean,
): Promise<{ user: string; password: string } | null> {
  const [db] = (
    await c.query<{ db: string; may: boolean }>(
      `SELECT current_database() AS db, (rolsuper OR rolcreaterole) AS may FROM pg_roles WHERE rolname = current_user`,
    )
  ).rows;
  if (!db) return null;
  const role = readerRole(db.db);
  const stored = (
    await c.query<{ password: string }>('SELECT password FROM tally_private.sql_reader WHERE role = $1', [
      role,
    ])
  ).rows[0];
  const exists = (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
  if (stored && exists && !grant) return { user: role, password: stored.password };
  if (!db.may) return stored && exists ? { user: role, password: stored.password } : null;
  const password = stored?.password ?? randomBytes(24).toString('base64url');
  const id = c.escapeIdentifier(role);
  try {
    if (!exists)
      await c.query(
        `CREATE ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD ${c.escapeLiteral(password)}`,
      );
    else if (!stored) await c.query(`ALTER ROLE ${id} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
  } catch (err) {
    // Another process created it a moment ago (roles are outside the migration lock's database).
    if (!/already exists|duplicate key/.test((err as Error).message)) throw err;
    if (!stored) await c.query(`ALTER ROLE ${id} LOGIN PASSWORD ${c.escapeLiteral(password)}`);
  }
  await c.query(
    `INSERT INTO tally_private.sql_reader (role, password) VALUES ($1, $2) ON CONFLICT (role) DO NOTHING`,
    [role, password],
  );
  const dbId = c.escapeIdentifier(db.db);
  await c.query(`REVOKE ALL ON SCHEMA tally_private FROM ${id}`);
  await c.query(`GRANT CONNECT ON DATABASE ${dbId} TO ${id}`);
  await c.query(`GRANT USAGE ON SCHEMA public TO ${id}`);
  await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${id}`);
  await c.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${id}`);
  return { user: role, password };
}

/** Statements `tally sql` runs: reads. Anything else is refused before it reaches the server. */
const READ_START = /^(select|with|values|table|explain|show)\b/i;

/** Strips leading blanks, comments and parentheses, to find the statement's first word. */
function firstWord(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^[\s(]+/, '');
    if (t.startsWith('--')) s = t.replace(/^--[^\n]*\n?/, '');
    else if (t.startsWith('/*')) s = t.replace(/^\/\*[\s\S]*?\*\//, '');
    else return t;
  }
}

/** Runs one read on `client` (already logged in as the reader, or the fallback user) in a READ ONLY transaction. */
export async function runReadOnly(
  client: pg.Client,
  sql: string,
  timeoutMs: number,
  maxRows = READ_ONLY_SQL_MAX_ROWS,
): Promise<Row[]> {
  if (!READ_START.test(firstWord(sql)))
    throw new TallyError(
      'forbidden',
      'tally sql only runs reads (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN); this statement is not one',
    );
  await client.query('BEGIN READ ONLY');
  await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    // A named statement goes through the extended protocol, which takes exactly one statement: "SELECT 1;
    // DROP TABLE kv" fails as a whole. The connection is the query's own, so the name cannot clash.
    // A query that can be a cursor is read through one, no further than one row past the cap, so a huge result
    // is refused without being held in memory first (SHOW and EXPLAIN cannot be cursors; their answers are small).
    const cursor = !/^(explain|show)\b/i.test(firstWord(sql));
    const r = cursor
      ? (await client.query({ name: 'tally_sql', text: `DECLARE tally_sql NO SCROLL CURSOR FOR ${sql}` }),
        await client.query(`FETCH FORWARD ${maxRows + 1} FROM tally_sql`))
      : await client.query({ name: 'tally_sql', text: sql });
    // The same answer as DuckDB's.
    if (r.rows.length > maxRows)
      throw new TallyError(
        'invalid_input',
        `the query returns more than ${maxRows} rows; aggregate it or add a LIMIT`,
        {
          maxRows,
        },
      );
    return r.rows as Row[];
  } catch (err) {
    if (err instanceof TallyError) throw err;
    throw sqlError(err, timeoutMs);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** PostgreSQL's refusal, in Tally's error family. */
function sqlError(err: unknown, timeoutMs: number): TallyError {
  const e = err as Error & { code?: string };
  const msg = e.message ?? String(err);
  if (/multiple commands/i.test(msg))
    return new TallyError('invalid_input', 'give exactly one statement (got more than one)');
  if (e.code === '57014')
    return new TallyError(
      'invalid_input',
      `the query ran longer than ${timeoutMs / 1000} s and was stopped; narrow it (a time window, a LIMIT)`,
      { timeoutMs },
    );
  // 25006: a write in the READ ONLY transaction; a data-modifying WITH is refused earlier by the cursor around it.
  if (e.code === '25006' || /must not contain data-modifying statements/i.test(msg))
    return new TallyError('forbidden', `tally sql only runs reads; PostgreSQL refused: ${msg}`);
  if (e.code === '42501' || /permission denied|must be superuser/i.test(msg))
    return new TallyError('forbidden', `tally sql reads only the store's tables: ${msg}`);
  return new TallyError('invalid_input', `SQL error: ${msg}`);
}
