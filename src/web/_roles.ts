/** What each role may see and do, mirrored from the API's rules so pages never offer a button that will fail. */
import type { WebUser } from './_types.js';

/** Only admins manage API keys. */
export function canSeeKeys(u: WebUser): boolean {
  return u.role === 'admin';
}

/** Admins and finance set and delete budgets. */
export function canEditBudgets(u: WebUser): boolean {
  return u.role === 'admin' || u.role === 'finance';
}

/** Admins, finance, and team leads (for their own teams) acknowledge, resolve and reopen anomalies. */
export function canTriageAnomalies(u: WebUser): boolean {
  return u.role !== 'viewer';
}

/**
 * Org-wide reports (reconcile, freshness, unit economics by app, team or group) are for admins and finance: they
 * span every team. Unit economics by feature is for everyone (the report keeps a scoped user to its teams).
 */
export function canReadOrg(u: WebUser): boolean {
  return u.role === 'admin' || u.role === 'finance';
}

/** "all teams" or the bound teams, for the header and page ledes. */
export function teamsLabel(u: WebUser): string {
  return u.teams.length === 0 ? 'all teams' : u.teams.join(', ');
}
