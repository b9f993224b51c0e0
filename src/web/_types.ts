/** The dashboard's contract with the server that mounts it: who is asking, and how to read and write. */

/** What a signed-in person may do; the API enforces it, the pages only reflect it. */
export type Role = 'admin' | 'finance' | 'team-lead' | 'viewer';

/** The signed-in person. `teams: []` means every team (admin and finance). */
export interface WebUser {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly teams: readonly string[];
}

/** The report documents the pages read; each is exactly what `GET /api/v1/<name>` returns. */
export type ReportName =
  | 'costs'
  | 'usage'
  | 'chargeback'
  | 'reconcile'
  | 'unit-economics'
  | 'budgets'
  | 'forecast'
  | 'anomalies'
  | 'keys'
  | 'freshness';

/** The writes the pages offer; each is exactly what the API's POST does. */
export type ActionName = 'anomaly-state' | 'budget-set' | 'budget-delete' | 'key-revoke';

/** What the dashboard needs from the server. Both calls throw TallyError (forbidden, not_found, invalid_input...). */
export interface WebDeps {
  /** A report document, exactly what GET /api/v1/<name>?<params> returns, already scoped to the user. */
  report(name: ReportName, params: Record<string, string>, user: WebUser): Promise<unknown>;
  /** A write, exactly what the API's POST does. */
  action(name: ActionName, params: Record<string, string>, user: WebUser): Promise<unknown>;
  /** The clock for "this month" and date presets; defaults to the system clock (tests and demos pin it). */
  now?: () => Date;
}

/** Set by the server's middleware before the dashboard runs. */
export interface WebVariables {
  /** null when nobody is signed in: pages then redirect to /login. */
  user: WebUser | null;
  /** The session's CSRF token; every form posts it back as `_csrf`. */
  csrfToken: string;
}
