/** `tally users create|list|revoke`: people and API tokens with roles (tokens shown once, stored hashed). */
import { TallyError } from '../../core/index.js';
import { createUser, createdUserDocument, parseRole, userView } from '../../api/index.js';
import { defineCommand } from '../command.js';

export const usersCreateCommand = defineCommand({
  writes: true,
  options: {
    name: { type: 'string', description: 'who this is (a person or an integration)' },
    role: { type: 'string', description: 'admin, finance, team-lead or viewer' },
    team: { type: 'string', multiple: true, description: 'a team a team-lead or viewer sees (repeatable)' },
  },
  async run(ctx) {
    const teams = (ctx.values['team'] as string[] | undefined) ?? [];
    const store = await ctx.openStore();
    const { user, token } = await createUser(store, {
      name: ctx.str('name') ?? '',
      role: parseRole(ctx.str('role')),
      teams,
    });
    if (ctx.json) {
      ctx.out.json(createdUserDocument(user, token));
      return;
    }
    ctx.out.line(`created ${user.role} ${user.name} (${user.id})`);
    ctx.out.line(`token (shown once; log in to the dashboard or send as "Authorization: Bearer"): ${token}`);
  },
});

export const usersListCommand = defineCommand({
  async run(ctx) {
    const store = await ctx.openStore({ readOnly: true });
    const rows = (await store.listUsers()).map(userView);
    if (ctx.json) ctx.out.json({ users: rows });
    else ctx.out.table(rows, ['id', 'name', 'role', 'teams', 'tokenHint', 'status', 'createdAt']);
  },
});

export const usersRevokeCommand = defineCommand({
  positionals: true,
  writes: true,
  async run(ctx) {
    const id = ctx.positionals[0];
    if (!id) throw new TallyError('invalid_input', 'give the user id (see `tally users list`)');
    const store = await ctx.openStore();
    if (!(await store.findUserById(id))) throw new TallyError('not_found', `no user ${id}`);
    await store.revokeUser(id, new Date());
    if (ctx.json) ctx.out.json({ id, status: 'revoked' });
    else ctx.out.line(`revoked ${id}`);
  },
});
