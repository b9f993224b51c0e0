/** `tally budgets set` and `tally budgets status`: budgets per scope and period with actual/forecast thresholds. */
import { TallyError, parseDay, parseUsd, parseUtc } from '../../core/index.js';
import {
  deleteBudget,
  BUDGET_PERIODS,
  allBudgetStatus,
  budgetId,
  budgetPeriod,
  saveBudget,
  type BudgetDef,
} from '../../analytics/index.js';
import { defineCommand } from '../command.js';
import { BASIS_OPTIONS, basisOptions } from './_allocation-report.js';

const optionalDay = (text: string | undefined, field: string) =>
  text === undefined ? null : parseDay(text, field);

const SCOPES = ['all', 'team', 'app', 'cost_center', 'key', 'model'] as const;

function percents(text: string | undefined, fallback: number[], field: string): number[] {
  if (text === undefined) return fallback;
  if (text.trim() === '') return [];
  const out = text.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isFinite(n) || n < 0 || n > 1000))
    throw new TallyError(
      'invalid_input',
      `--${field}: give percents 0..1000 separated by commas, e.g. 50,80,100`,
      {
        field,
      },
    );
  return out;
}

export const budgetsSetCommand = defineCommand({
  writes: true,
  options: {
    scope: { type: 'string', description: 'all, team, app, cost_center, key or model', default: 'all' },
    value: { type: 'string', description: 'the team/app/... the budget is for' },
    period: { type: 'string', description: 'day, week, month, quarter, year or custom', default: 'month' },
    start: { type: 'string', description: 'custom period start YYYY-MM-DD' },
    end: { type: 'string', description: 'custom period end (exclusive) YYYY-MM-DD' },
    amount: { type: 'string', description: 'budget amount in reporting.currency (default USD)' },
    actual: { type: 'string', description: 'percent thresholds on actual spend', default: '50,80,100' },
    forecast: { type: 'string', description: 'percent thresholds on forecast spend', default: '100' },
    hard: { type: 'boolean', description: 'the gateway refuses requests once spend reaches the amount' },
  },
  async run(ctx) {
    const scope = ctx.str('scope') ?? 'all';
    const period = ctx.str('period') ?? 'month';
    if (!(SCOPES as readonly string[]).includes(scope))
      throw new TallyError('invalid_input', `--scope: "${scope}" is not one of ${SCOPES.join(', ')}`, {
        field: 'scope',
      });
    if (!(BUDGET_PERIODS as readonly string[]).includes(period))
      throw new TallyError(
        'invalid_input',
        `--period: "${period}" is not one of ${BUDGET_PERIODS.join(', ')}`,
        {
          field: 'period',
        },
      );
    const value = ctx.str('value') ?? null;
    if (scope !== 'all' && !value)
      throw new TallyError('invalid_input', `--value is required for scope ${scope}`, { field: 'value' });
    const amountText = ctx.str('amount');
    if (!amountText)
      throw new TallyError('invalid_input', 'give --amount AMOUNT (in reporting.currency)', {
        field: 'amount',
      });
    let amountNanos: bigint;
    try {
      amountNanos = parseUsd(amountText);
    } catch {
      amountNanos = -1n;
    }
    if (amountNanos <= 0n)
      throw new TallyError('invalid_input', `--amount: "${amountText}" is not a positive amount`, {
        field: 'amount',
      });
    const b: BudgetDef = {
      id: budgetId(scope, value, period),
      scope: scope as BudgetDef['scope'],
      value,
      period: period as BudgetDef['period'],
      start: optionalDay(ctx.str('start'), 'start'),
      end: optionalDay(ctx.str('end'), 'end'),
      amountNanos,
      actual: percents(ctx.str('actual'), [50, 80, 100], 'actual'),
      forecast: percents(ctx.str('forecast'), [100], 'forecast'),
      hard: ctx.flag('hard'),
      source: 'store',
    };
    budgetPeriod(b, new Date()); // validates custom start/end
    const store = await ctx.openStore();
    await saveBudget(store, b);
    if (ctx.json) ctx.out.json({ budget: { ...b, amountNanos: undefined, amountUsd: Number(amountText) } });
    else ctx.out.line(`budget ${b.id} set: ${amountText} USD per ${period}`);
  },
});

export const budgetsStatusCommand = defineCommand({
  options: {
    at: { type: 'string', description: 'evaluate as of this time (default now)' },
    ...BASIS_OPTIONS,
  },
  async run(ctx) {
    const at = ctx.str('at');
    const now = at ? parseUtc(at, 'at') : new Date();
    const on = basisOptions(ctx);
    const store = await ctx.openStore({ readOnly: true });
    const all = await allBudgetStatus(store, ctx.config(), now, { ...on, memo: ctx.memo });
    // A team-scoped caller sees the budgets of its teams.
    const scope = ctx.scope?.teams;
    const budgets = scope ? all.filter((b) => scope.some((t) => b.scope === `team=${t}`)) : all;
    if (ctx.json) {
      // Rows, like `tally usage` and `tally costs`; each row carries its own period window.
      ctx.out.json(budgets);
      return;
    }
    ctx.out.line(`currency: ${ctx.config().reporting.currency} (amounts below)`);
    ctx.out.table(
      budgets.map((b) => ({
        budget: b.id,
        scope: b.scope,
        amountUsd: b.amountUsd,
        spentUsd: b.spentUsd,
        forecastUsd: b.forecastUsd,
        forecastP10: b.forecastP10Usd,
        forecastP90: b.forecastP90Usd,
        committed: b.forecastCommittedUsd,
        exportThrough: b.exportThrough ?? `(${b.basis})`,
        crossed: b.crossed.map((c) => `${c.type} ${c.percent}%`).join(', '),
      })),
    );
  },
});

export const budgetsDeleteCommand = defineCommand({
  writes: true,
  options: { id: { type: 'string', description: 'the budget id' } },
  async run(ctx) {
    const id = ctx.str('id');
    if (!id) throw new TallyError('invalid_input', 'give --id (see `tally budgets status`)', { field: 'id' });
    const store = await ctx.openStore();
    if (!(await deleteBudget(store, id)))
      throw new TallyError('not_found', `no stored budget ${id} (budgets in tally.yaml are changed there)`, {
        field: 'id',
      });
    if (ctx.json) ctx.out.json({ id, deleted: true });
    else ctx.out.line(`deleted budget ${id}`);
  },
});
