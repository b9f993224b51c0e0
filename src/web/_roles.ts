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

/** Admins, and team leads for their own teams, acknowledge and resolve anomalies; viewers and finance read. */
export function canTriageAnomalies(u: WebUser): boolean {
  return u.role === 'admin' || u.role === 'team-lead';
}

/** "all teams" or the bound teams, for the header and page ledes. */
export function teamsLabel(u: WebUser): string {
  return u.teams.length === 0 ? 'all teams' : u.teams.join(', ');
}
