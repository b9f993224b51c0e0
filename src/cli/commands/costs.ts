/** `tally costs --by COL[,COL]`: billed, effective and list cost grouped by FOCUS or x_ columns. */
import { TallyError, parseUtc } from '../../core/index.js';
import { COST_GRANULARITIES, queryCosts, type CostsQuery } from '../../ingest/index.js';
import { defineCommand } from '../command.js';

export const costsCommand = defineCommand({
  options: {
    by: {
      type: 'string',
      description: 'grouping columns, comma-separated (e.g. ServiceCategory or x_AiModel,x_AiTokenType)',
    },
    from: { type: 'string', description: 'window start, inclusive (UTC date or time; default: all)' },
    to: { type: 'string', description: 'window end, exclusive (UTC date or time; default: all)' },
    'ai-only': { type: 'boolean', description: 'only rows classified as AI spend' },
    granularity: { type: 'string', description: 'day, week or month: adds a date column (bucket start)' },
    filter: { type: 'string', multiple: true, description: 'COL=VALUE, repeatable (e.g. x_AiModel=gpt-4o)' },
  },
  async run(ctx) {
    const by = (ctx.str('by') ?? 'ServiceCategory')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const fromText = ctx.str('from');
    const toText = ctx.str('to');
    const granularity = ctx.str('granularity');
    if (granularity !== undefined && !(COST_GRANULARITIES as readonly string[]).includes(granularity))
      throw new TallyError('invalid_input', `--granularity: use ${COST_GRANULARITIES.join(', ')}`, {
        field: 'granularity',
      });
    const filters = ((ctx.values['filter'] as string[] | undefined) ?? []).map((f) => {
      const eq = f.indexOf('=');
      if (eq <= 0)
        throw new TallyError('invalid_input', `--filter "${f}": use COL=VALUE`, { field: 'filter' });
      return { column: f.slice(0, eq).trim(), value: f.slice(eq + 1) };
    });
    const store = await ctx.openStore({ readOnly: true });
    const rows = await queryCosts(store, {
      granularity: granularity as CostsQuery['granularity'],
      filters,
      teams: ctx.scope?.teams,
      by,
      from: fromText ? parseUtc(fromText, 'from') : undefined,
      to: toText ? parseUtc(toText, 'to') : undefined,
      aiOnly: ctx.flag('ai-only'),
    });
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
});
