/** `tally keys create|list|revoke|rotate`: virtual keys (secrets shown once, stored as hashes). */
import { sections, TallyError } from '../../core/index.js';
import {
  askRunningGateway,
  createKey,
  keyView,
  revokeKey,
  rotateKey,
  type KeySpec,
} from '../../gateway/index.js';
import { defineCommand, type CommandContext, type OptionSpecs } from '../command.js';

/** Options of `keys create` (its helpers below read them by name). */
const createOptions = {
  team: { type: 'string', description: 'team the key bills to' },
  app: { type: 'string', description: 'application' },
  env: { type: 'string', description: 'environment (dev, prod, ...)' },
  'cost-center': { type: 'string', description: 'cost center' },
  tag: { type: 'string', multiple: true, description: 'tag key=value (repeatable)' },
  models: { type: 'string', description: 'allowed models, comma-separated (default: all routed)' },
  tpm: { type: 'string', description: 'tokens-per-minute limit' },
  'quota-tokens': { type: 'string', description: 'token quota per period' },
  'quota-period': { type: 'string', description: `quota period: hour, day, month (default month)` },
  'budget-usd': { type: 'string', description: 'USD budget per period' },
  'budget-period': { type: 'string', description: 'budget period: day, week, month (default month)' },
  'soft-budget': {
    type: 'boolean',
    description: 'alert only when the budget is exceeded (default hard: 403)',
  },
} as const satisfies OptionSpecs;

type CreateContext = CommandContext<typeof createOptions>;

function period<T extends string>(
  ctx: CreateContext,
  name: 'quota-period' | 'budget-period',
  allowed: readonly T[],
  dflt: T,
): T {
  const v = ctx.str(name) ?? dflt;
  if (!(allowed as readonly string[]).includes(v))
    throw new TallyError('invalid_input', `--${name}: use one of ${allowed.join(', ')}`, { field: name });
  return v as T;
}

function tags(ctx: CreateContext): Record<string, string> {
  const list = ctx.values.tag ?? [];
  const out: Record<string, string> = {};
  for (const t of list) {
    const i = t.indexOf('=');
    if (i <= 0) throw new TallyError('invalid_input', `--tag: "${t}" must be key=value`, { field: 'tag' });
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

function specFrom(ctx: CreateContext): KeySpec {
  const spec: KeySpec = {
    team: ctx.str('team'),
    app: ctx.str('app'),
    environment: ctx.str('env'),
    costCenter: ctx.str('cost-center'),
    tags: tags(ctx),
  };
  const models = ctx.str('models');
  if (models)
    spec.allowedModels = models
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
  const tpm = ctx.num('tpm', { min: 1, integer: true });
  if (tpm !== undefined) spec.tpm = tpm;
  const quota = ctx.num('quota-tokens', { min: 1, integer: true });
  if (quota !== undefined)
    spec.quota = {
      tokens: quota,
      period: period(ctx, 'quota-period', ['hour', 'day', 'month'] as const, 'month'),
    };
  // Kept as the decimal text given, so the key's budget is the exact amount typed (enforced to the nano).
  const budget = ctx.str('budget-usd')?.trim();
  if (budget !== undefined && !sections.usdAmount.safeParse(budget).success)
    throw new TallyError(
      'invalid_input',
      `--budget-usd: "${budget}" is not an amount in USD such as 200 or 0.50`,
      { field: 'budget-usd' },
    );
  if (budget !== undefined)
    spec.budget = {
      usd: budget,
      period: period(ctx, 'budget-period', ['day', 'week', 'month'] as const, 'month'),
      hard: !ctx.flag('soft-budget'),
    };
  return spec;
}

export const keysCreateCommand = defineCommand({
  writes: true,
  options: createOptions,
  async run(ctx) {
    const spec = specFrom(ctx);
    // A running gateway holds the store: create through it (it also starts honouring the key at once).
    let made = (await askRunningGateway(ctx.dbPath, 'POST', '/admin/keys', spec)) as Record<
      string,
      unknown
    > | null;
    if (!made) {
      const store = await ctx.openStore();
      const { record, key } = await createKey(store, spec);
      made = { id: record.id, key, ...keyView(record) };
    }
    if (ctx.json) ctx.out.json(made);
    else {
      ctx.out.line(`key id: ${String(made['id'])}`);
      ctx.out.line(`key:    ${String(made['key'])}`);
      ctx.out.note('Store the key now: it is shown only once (Tally keeps only its hash).');
    }
  },
});

export const keysListCommand = defineCommand({
  options: { all: { type: 'boolean', description: 'include revoked keys' } },
  async run(ctx) {
    let all = (await askRunningGateway(ctx.dbPath, 'GET', '/admin/keys')) as Record<string, unknown>[] | null;
    if (!all) {
      const store = await ctx.openStore({ readOnly: true });
      all = (await store.listKeys()).map(keyView);
    }
    const rows = all.filter((k) => ctx.flag('all') || k['status'] === 'active');
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows, ['id', 'hint', 'team', 'app', 'environment', 'status', 'createdAt']);
  },
});

function idArg(ctx: CommandContext): string {
  const id = ctx.positionals[0];
  if (!id) throw new TallyError('invalid_input', 'give the key id, e.g. tally keys revoke key_0190...');
  return id;
}

export const keysRevokeCommand = defineCommand({
  writes: true,
  positionals: true,
  async run(ctx) {
    const id = idArg(ctx);
    let view = (await askRunningGateway(
      ctx.dbPath,
      'POST',
      `/admin/keys/${encodeURIComponent(id)}/revoke`,
    )) as Record<string, unknown> | null;
    if (!view) view = keyView(await revokeKey(await ctx.openStore(), id));
    if (ctx.json) ctx.out.json(view);
    else ctx.out.line(`revoked ${id}`);
  },
});

export const keysRotateCommand = defineCommand({
  writes: true,
  positionals: true,
  async run(ctx) {
    const id = idArg(ctx);
    let made = (await askRunningGateway(
      ctx.dbPath,
      'POST',
      `/admin/keys/${encodeURIComponent(id)}/rotate`,
    )) as Record<string, unknown> | null;
    if (!made) {
      const { record, key, replaced } = await rotateKey(await ctx.openStore(), id);
      made = { id: record.id, key, replaced, ...keyView(record) };
    }
    if (ctx.json) ctx.out.json(made);
    else {
      ctx.out.line(`key id: ${String(made['id'])} (replaces ${id}, now revoked)`);
      ctx.out.line(`key:    ${String(made['key'])}`);
      ctx.out.note('Store the key now: it is shown only once.');
    }
  },
});
