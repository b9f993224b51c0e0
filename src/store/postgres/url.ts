/**
 * What the rest of Tally needs to know about a PostgreSQL location without loading the `pg` driver: whether a
 * --db value is a server URL, how to show it without its password, and the options for opening one.
 */

/** TLS modes, as libpq names them (disable, require: encrypted without checks; verify-ca, verify-full: checked). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
/** A TLS mode. */
export type SslMode = (typeof SSL_MODES)[number];

/** Options for opening a PostgreSQL store. */
export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database[?sslmode=...&host=/socket/dir] */
  readonly url: string;
  /** TLS mode; the URL's `sslmode` parameter when absent, else `prefer` semantics of `pg` (no TLS). */
  readonly sslMode?: SslMode | undefined;
  /** PEM file of the CA that signed the server's certificate (Azure: DigiCert Global Root G2 and friends). */
  readonly sslCaFile?: string | undefined;
  /** Statement timeout of the store's own queries, ms (default 120 s: a month's chargeback on 10M rows fits). */
  readonly statementTimeoutMs?: number | undefined;
  /** Timeout of a `readOnlySql` query when the caller gives none, ms (default 30 s). */
  readonly sqlTimeoutMs?: number | undefined;
  /** Pool size (default 10). */
  readonly poolSize?: number | undefined;
}

/** True when a --db value or store location names a PostgreSQL server rather than a file. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** The URL with its password replaced by `***` (and unchanged when it cannot be parsed). */
export function maskStoreUrl(s: string): string {
  if (!isPostgresUrl(s)) return s;
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // An unparsable URL may still hold a password between ':' and '@': hide everything up to the host.
    return s.replace(/\/\/[^@/]*@/, '//***@');
  }
}
