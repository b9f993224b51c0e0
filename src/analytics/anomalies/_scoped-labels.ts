/**
 * What of an incident a team may read (a team-lead's answer, a team's own alert channel): its teams' labels and
 * shared infrastructure, never another team's. Pure: the caller gives the teams' virtual keys.
 */

/** Scope kinds that name a team, or something a team owns (other kinds name shared infrastructure). */
const TEAM_OWNED = ['team=', 'app=', 'key=', 'cost_center=', 'costCenter=', 'environment=', 'subAccount='];

/** What a team reads in place of root-cause labels it may not see (never a team of its own). */
export const OUTSIDE_SCOPE = 'outside your teams';

/** The labels `teams` may read: the teams, and the apps and keys their virtual keys name. */
export function labelsOwnedBy(
  teams: readonly string[],
  keys: readonly { id: string; team: string | null; app: string | null }[],
): Set<string> {
  const own = new Set(teams.map((t) => `team=${t}`));
  for (const k of keys)
    if (k.team !== null && teams.includes(k.team)) {
      own.add(`key=${k.id}`);
      if (k.app) own.add(`app=${k.app}`);
    }
  return own;
}

/**
 * An incident with other teams' labels left out of its scopes and root cause. A root cause is never given a team
 * it did not name: labels the reader may not see are replaced by one "outside your teams" phrase (and
 * `rootCauseOutsideScope`), so a team is not told it caused an incident rooted in another team.
 */
export function withOwnLabels<T extends { scopes: readonly string[]; rootCause: string }>(
  v: T,
  own: ReadonlySet<string>,
): T & { rootCauseOutsideScope: boolean } {
  const mine = (s: string) => own.has(s) || !TEAM_OWNED.some((p) => s.startsWith(p));
  const scopes = v.scopes.filter(mine);
  const labels = v.rootCause.split(', ');
  const cause = labels.filter(mine);
  const outside = cause.length < labels.length;
  const rootCause = outside ? [OUTSIDE_SCOPE, ...cause].join(', ') : v.rootCause;
  return { ...v, scopes, rootCause, rootCauseOutsideScope: outside };
}
