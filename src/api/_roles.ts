/**
 * Who may do what. One table, checked by the API before any handler runs; team scope is applied by the
 * report code itself (the rows a scoped caller gets are filtered where they are computed, never in a page).
 */
import { TallyError } from '../core/index.js';
import type { Role, UserRecord } from '../store/index.js';

/** Everything the API distinguishes. */
export type Permission =
  | 'read' // reports a caller is allowed to see (scoped roles: their teams only)
  | 'read-org' // org-wide reports with no team dimension (reconcile, freshness)
  | 'incident-state' // acknowledge / resolve / reopen anomalies
  | 'budgets-write'
  | 'ingest' // cost exports and business KPIs
  | 'catalog' // imported price sheets (they reprice usage for everyone)
  | 'alerts' // run an alert pass now
  | 'export'
  | 'keys' // gateway virtual keys
  | 'users'
  | 'audit'
  | 'sql';

const MATRIX: Record<Role, readonly Permission[]> = {
  admin: [
    'read',
    'read-org',
    'incident-state',
    'budgets-write',
    'ingest',
    'catalog',
    'alerts',
    'export',
    'keys',
    'users',
    'audit',
    'sql',
  ],
  finance: ['read', 'read-org', 'incident-state', 'budgets-write', 'ingest', 'catalog', 'alerts', 'export'],
  'team-lead': ['read', 'incident-state'],
  viewer: ['read'],
};

/** Who is calling: a user (token or browser session), or the local CLI holding the owner's secret. */
export type Principal =
  { readonly kind: 'user'; readonly user: UserRecord } | { readonly kind: 'local'; readonly actor: string };

/** The audit name of a principal. */
export function actorOf(p: Principal): string {
  return p.kind === 'user' ? `user:${p.user.id}` : p.actor;
}

/** Whether a principal has a permission (the local CLI has them all: it could open the store itself). */
export function can(p: Principal, perm: Permission): boolean {
  return p.kind === 'local' || MATRIX[p.user.role].includes(perm);
}

/** Throws forbidden unless the principal has the permission. */
export function requirePermission(p: Principal, perm: Permission): void {
  if (!can(p, perm))
    throw new TallyError(
      'forbidden',
      `role ${p.kind === 'user' ? p.user.role : 'local'} may not ${perm.replace('-', ' ')}; ask an admin`,
      { permission: perm },
    );
}

/** The teams a principal is bound to, or null when it sees every team. */
export function teamScope(p: Principal): { teams: readonly string[] } | null {
  if (p.kind === 'local') return null;
  return p.user.role === 'team-lead' || p.user.role === 'viewer' ? { teams: p.user.teams } : null;
}

/** The permission table, for docs/api.md and /api/v1/openapi.json. */
export const ROLE_MATRIX: Readonly<Record<Role, readonly Permission[]>> = MATRIX;
