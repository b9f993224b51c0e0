/**
 * Records of the server's access layer: users (API tokens and browser logins, hashed), sessions, the audit
 * log and anomaly incident states. Types only; every backend implements the operations in store.ts.
 */

/** What a user may do: see docs/api.md for the matrix. */
export const ROLES = ['admin', 'finance', 'team-lead', 'viewer'] as const;
/** A user's role. */
export type Role = (typeof ROLES)[number];

/** A user or API token holder. The token itself is never stored: only its SHA-256. */
export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Teams a team-lead or viewer is bound to; empty for admin and finance (who see every team). */
  readonly teams: readonly string[];
  readonly tokenHash: string;
  /** The first characters of the token, to tell tokens apart in lists. */
  readonly tokenPrefix: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

/** A browser session. Its id is stored hashed; the CSRF token is per session. */
export interface SessionRecord {
  readonly idHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** One write, recorded: who did what to which target, when. */
export interface AuditEntry {
  readonly at: Date;
  /** `user:<id>` for API/browser users, `cli:<os user>` for the local CLI, `system` for scheduled work. */
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
}

/** The lifecycle state of an anomaly incident, with who set it and when. */
export interface IncidentState {
  readonly id: string;
  readonly state: 'new' | 'acknowledged' | 'resolved';
  readonly changedBy: string;
  readonly changedAt: Date;
  readonly note: string | null;
}
