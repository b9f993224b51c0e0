/** `tally costs --by COL[,COL]`: billed, effective and list cost grouped by FOCUS or x_ columns. */
import { TallyError, describeRates, parseUtc } from '../../core/index.js';
import {
  allocationSettings,
  compareCostRows,
  previousPeriod,
  ratesFor,
  topCostRows,
} from '../../analytics/index.js';
import { COST_GRANULARITIES, queryCostsIn, type CostsQuery } from '../../ingest/index.js';
import { defineCommand } from '../command.js';

export const costsCommand = defineCommand({
  options: {
    by: {
      type: 'string',
      description:
        'grouping columns, comma-separated: FOCUS or x_ columns, or tags (team, app, Tags.<key>), e.g. x_AiModel,team',
    },
    from: { type: 'string', description: 'window start, inclusive (UTC date or time; default: all)' },
    to: { type: 'string', description: 'window end, exclusive (UTC date or time; default: all)' },
    'ai-only': { type: 'boolean', description: 'only rows classified as AI spend' },
    granularity: { type: 'string', description: 'day, week or month: adds a date column (bucket start)' },
    filter: { type: 'string', multiple: true, description: 'COL=VALUE, repeatable (e.g. x_AiModel=gpt-4o)' },
    top: {
      type: 'string',
      description:
        'keep the N groups with the largest effective cost; the rest fold into one "(other)" group',
    },
    compare: {
      type: 'boolean',
      description:
        "add each group's amounts in the previous period (`previous`) and `changePct`: the same days of the month before for a month to date, else the same length before; needs --from and --to, not --granularity",
    },
    total: {
      type: 'boolean',
      description:
        'with --json: print {currency, exchangeRates, rows, total}, the total in reporting.currency (refuses without a rate)',
    },
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
    const topN = ctx.num('top', { integer: true, min: 1 });
    const compare = ctx.flag('compare');
    if (compare && (!fromText || !toText))
      throw new TallyError('invalid_input', '--compare needs --from and --to (the window to compare)', {
        field: 'compare',
      });
    if (compare && granularity !== undefined)
      throw new TallyError(
        'invalid_input',
        '--compare matches groups, not time buckets: drop --granularity, or ask for each period separately',
        { field: 'compare' },
      );
    const store = await ctx.openStore({ readOnly: true });
    const q: CostsQuery = {
      granularity: granularity as CostsQuery['granularity'],
      filters,
      teams: ctx.scope?.teams,
      by,
      from: fromText ? parseUtc(fromText, 'from') : undefined,
      to: toText ? parseUtc(toText, 'to') : undefined,
      aiOnly: ctx.flag('ai-only'),
    };
    // Rows stay per billing currency, exact as stored; each also says its amounts in the reporting currency
    // (converted day by day at the day's rate), and only those converted amounts are ever added (ADR 0030).
    const { currency, rates: configured } = allocationSettings(ctx.config());
    const window = { from: q.from ?? new Date(0), to: q.to ?? new Date('9999-01-01T00:00:00Z') };
    const rates = await ratesFor(store, window, configured ?? []);
    const res = await queryCostsIn(store, q, { currency: currency ?? 'USD', rates });
    const cur = currency ?? 'USD';
    if (compare && q.from && q.to) {
      const before = previousPeriod(q.from, q.to);
      const prevRates = await ratesFor(store, before, configured ?? []);
      const prev = await queryCostsIn(store, { ...q, ...before }, { currency: cur, rates: prevRates });
      res.rows = compareCostRows(res.rows, prev.rows, by) as typeof res.rows;
    }
    if (topN !== undefined) res.rows = topCostRows(res.rows, by, topN) as typeof res.rows;
    if (ctx.json && ctx.flag('total')) {
      if (!res.total) queryRefusal(res.missing);
      ctx.out.json({ currency: cur, exchangeRates: res.rates, rows: res.rows, total: res.total });
    } else if (ctx.json) ctx.out.json(res.rows);
    else {
      // One currency throughout: the converted columns would only repeat the amounts.
      const mixed = res.rows.some((r) => (r.currency ?? cur) !== cur);
      const flat = res.rows.map((r) => flatPrevious(r));
      ctx.out.table(mixed ? flat : flat.map((r) => withoutConverted(r)));
      if (res.total)
        ctx.out.line(
          `total in ${cur}: effective ${res.total['effectiveCost']}, billed ${res.total['billedCost']}; ${describeRates(cur, res.rates)}`,
        );
      else ctx.out.note(`no total in ${cur}: no exchange rate ${res.missing.join(', ')}`);
    }
  },
});

/** A compared row for the table: the previous effective cost as a column instead of an object. */
function flatPrevious(r: Record<string, unknown>): Record<string, unknown> {
  const prev = r['previous'] as Record<string, unknown> | undefined;
  if (!prev) return r;
  const { previous: _, changePct, ...rest } = r;
  return { ...rest, previousEffectiveCost: prev['effectiveCost'], changePct };
}

function withoutConverted(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(r).filter(([k]) => !k.startsWith('converted') && k !== 'reportingCurrency'),
  );
}

function queryRefusal(missing: readonly string[]): never {
  throw new TallyError(
    'conflict',
    `no exchange rate ${missing.join(', ')}: Tally does not add different currencies; add the rate to the file named in reporting.ratesFile (date,from,to,rate)`,
    { missing },
  );
}
