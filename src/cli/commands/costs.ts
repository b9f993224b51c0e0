/** `tally costs --by COL[,COL]`: billed, effective and list cost grouped by FOCUS or x_ columns. */
import { parseUtc } from '../../core/index.js';
import { queryCosts } from '../../ingest/index.js';
import type { Command } from '../command.js';

export const costsCommand: Command = {
  name: 'costs',
  summary: 'report billed, effective and list cost grouped by any FOCUS or x_ column',
  usage: '--by COL[,COL] [--from DATE] [--to DATE] [--ai-only] [--db PATH] [--json]',
  options: {
    by: {
      type: 'string',
      description: 'grouping columns, comma-separated (e.g. ServiceCategory or x_AiModel,x_AiTokenType)',
    },
    from: { type: 'string', description: 'window start, inclusive (UTC date or time; default: all)' },
    to: { type: 'string', description: 'window end, exclusive (UTC date or time; default: all)' },
    'ai-only': { type: 'boolean', description: 'only rows classified as AI spend' },
  },
  async run(ctx) {
    const by = (ctx.str('by') ?? 'ServiceCategory')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const fromText = ctx.str('from');
    const toText = ctx.str('to');
    const store = await ctx.openStore({ readOnly: true });
    const rows = await queryCosts(store, {
      by,
      from: fromText ? parseUtc(fromText, 'from') : undefined,
      to: toText ? parseUtc(toText, 'to') : undefined,
      aiOnly: ctx.flag('ai-only'),
    });
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
};
