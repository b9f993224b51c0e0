/** Users and their API tokens: created with a role (and teams for scoped roles), shown once, stored hashed. */
import { createHash, randomBytes } from 'node:crypto';
import { TallyError, newId } from '../core/index.js';
import { ROLES, type CostStore, type Role, type UserRecord } from '../store/index.js';

/** Prefix of user tokens, so a leaked one is recognisable (and told apart from gateway keys `tally-sk-`). */
export const USER_TOKEN_PREFIX = 'tally-ut-';

/** SHA-256 of a token or session id (hex): what is stored and looked up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Roles that see only the teams they are bound to. */
export function isScopedRole(role: Role): boolean {
  return role === 'team-lead' || role === 'viewer';
}

/** Checks a role name. */
export function parseRole(text: string | undefined): Role {
  if (text && (ROLES as readonly string[]).includes(text)) return text as Role;
  throw new TallyError('invalid_input', `--role: give one of ${ROLES.join(', ')}`, { field: 'role' });
}

/** Creates a user and returns it with its token (the only time the token is shown). */
export async function createUser(
  store: CostStore,
  spec: { name: string; role: Role; teams: readonly string[] },
  now = new Date(),
): Promise<{ user: UserRecord; token: string }> {
  const name = spec.name.trim();
  if (!name) throw new TallyError('invalid_input', 'give --name', { field: 'name' });
  const teams = [...new Set(spec.teams.map((t) => t.trim()).filter(Boolean))].sort();
  if (isScopedRole(spec.role) && teams.length === 0)
    throw new TallyError('invalid_input', `a ${spec.role} sees only its teams: give --team T (repeatable)`, {
      field: 'team',
    });
  if (!isScopedRole(spec.role) && teams.length > 0)
    throw new TallyError(
      'invalid_input',
      `${spec.role} sees every team; --team is for team-lead and viewer`,
      {
        field: 'team',
      },
    );
  const token = USER_TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const user: UserRecord = {
    id: `u-${newId(now.getTime())}`,
    name,
    role: spec.role,
    teams,
    tokenHash: hashToken(token),
    tokenPrefix: token.slice(0, USER_TOKEN_PREFIX.length + 4),
    status: 'active',
    createdAt: now,
    revokedAt: null,
  };
  await store.insertUser(user);
  return { user, token };
}

/**
 * What creating a user answers, from the CLI (`tally users create --json`) and the API (`POST /api/v1/users`)
 * alike: the id and the token (shown this once), with who it is.
 */
export function createdUserDocument(u: UserRecord, token: string): Record<string, unknown> {
  return { id: u.id, token, role: u.role, teams: u.teams, name: u.name };
}

/** A user as lists and the API show it: never the token or its hash, only the token's first characters. */
export function userView(u: UserRecord): Record<string, unknown> {
  return {
    id: u.id,
    name: u.name,
    role: u.role,
    teams: u.teams,
    tokenHint: `${u.tokenPrefix}…`,
    status: u.status,
    createdAt: u.createdAt.toISOString(),
    revokedAt: u.revokedAt?.toISOString() ?? null,
  };
}
