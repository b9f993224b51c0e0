/** `tally unit-economics`: cost per request, conversation, active user and business outcome, with trend. */
import { dirname, resolve } from 'node:path';
import {
  TallyError,
  describeRates,
  formatMoney,
  monthWindow,
  parseUsd,
  previousMonth,
  type AppliedRate,
  type Nanos,
} from '../../core/index.js';
import {
  allocationSettings,
  LEDGER_CURRENCY,
  ratesFor,
  tagUnitEconomics,
  type TagUsage,
  totalsByConsumer,
  type PeriodAllocation,
  loadActivityScopes,
  loadStoredKpis,
  readKpiFile,
  groupPeriod,
  unitEconomics,
  type KpiValue,
  type UnitPeriod,
} from '../../analytics/index.js';
import { defineCommand, type CommandContext } from '../command.js';
import { allocateWithPrevious, periodOption, viewOption } from './_allocation-report.js';

export const unitEconomicsCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    kpi: {
      type: 'string',
      description:
        'CSV of date, app, team and/or group, metric, value (default: unitEconomics.kpiFile, else stored KPIs)',
    },
    by: {
      type: 'string',
      description:
        'app (default; team for --view finance), team, group (unitEconomics.groups), feature or tag:KEY (request tags, ledger basis)',
    },
    view: {
      type: 'string',
      description: 'finance (per team: cost, outcomes, revenue share) or engineering (per app: per request)',
    },
  },
  async run(ctx) {
    const period = periodOption(ctx);
    monthWindow(period);
    const view = viewOption(ctx);
    const byRaw = ctx.str('by') ?? (view === 'finance' ? 'team' : 'app');
    const tagKey = byRaw === 'feature' ? 'feature' : /^tag:.+/.test(byRaw) ? byRaw.slice(4) : null;
    if (tagKey !== null) return byTag(ctx, period, tagKey);
    if (byRaw !== 'app' && byRaw !== 'team' && byRaw !== 'group')
      throw new TallyError('invalid_input', `--by "${byRaw}": use app, team, group, feature or tag:KEY`, {
        field: 'by',
      });
    const by = byRaw;
    // Per app, team or group the rows span every team: a team-scoped caller gets the request-tag views only.
    if (ctx.scope)
      throw new TallyError(
        'forbidden',
        "unit economics by app, team or group spans every team; a team-scoped token sees --by feature or tag:KEY (its teams' traffic only)",
        { by },
      );
    const groups = ctx.config().unitEconomics.groups;
    if (by === 'group' && Object.keys(groups).length === 0)
      throw new TallyError(
        'invalid_input',
        '--by group needs declared groups: add to tally.yaml unitEconomics: { groups: { NAME: { apps: [APP, ...] } } }',
        { field: 'by' },
      );
    const configured = ctx.config().unitEconomics.kpiFile;
    const kpiPath =
      ctx.str('kpi') ??
      (configured ? resolve(dirname(ctx.configPath ?? 'tally.yaml'), configured) : undefined);
    const fileKpis = kpiPath ? readKpiFile(resolve(kpiPath), new Set(Object.keys(groups))) : null;
    const { store, current, previous } = await allocateWithPrevious(ctx, period, true);
    const load = async (pa: PeriodAllocation): Promise<UnitPeriod> => {
      const w = monthWindow(pa.period);
      const inWindow = (k: KpiValue) => k.day >= isoDay(w.from) && k.day < isoDay(w.to);
      const kpis = fileKpis
        ? fileKpis.filter(inWindow)
        : await loadStoredKpis(store, w, new Set(Object.keys(groups)));
      const scope = by === 'group' ? 'app' : by;
      const totals = totalsByConsumer(pa.result, scope);
      // Activity per app, per team and overall comes from one scan of the month's events (ADR 0040); a closed
      // month's is shared with other reports of a serving process (ADR 0033), whatever scope they ask.
      const read = () => loadActivityScopes(store, w);
      const sets = await (ctx.memo ? ctx.memo.get(pa.period, 'activity/scopes', read) : read());
      const period: UnitPeriod = {
        costs: new Map([...totals].map(([k, t]) => [k, t.direct + t.shared])),
        totalNanos: pa.result.totalNanos,
        activity: [...sets[scope]],
        overall: sets.all[0] ?? NO_ACTIVITY,
        kpis,
      };
      return by === 'group' ? groupPeriod(period, groups) : period;
    };
    const cur = await load(current);
    const prev = previous ? await load(previous) : null;
    const { rows, total } = unitEconomics(cur, prev, by, groups);
    if (ctx.json) {
      ctx.out.json({
        period,
        previousPeriod: previousMonth(period),
        by,
        ...(view ? { view } : {}),
        kpiSource: kpiPath ? resolve(kpiPath) : 'store',
        currency: current.currency.currency,
        exchangeRates: current.currency.rates,
        rows,
        total,
      });
      return;
    }
    ctx.out.line(
      `Unit economics ${period} by ${by}: AI cost ${formatMoney(cur.totalNanos, current.currency.currency)}`,
    );
    ctx.out.line(describeRates(current.currency.currency, current.currency.rates));
    const reporting = current.currency.currency;
    const perUnit = (v: number) =>
      reporting === 'USD' ? `$${v.toFixed(4)}` : `${v.toFixed(4)} ${reporting}`;
    const flat = [...rows, { [by]: '(all)', ...total }].map((r) => ({
      [by]: r[by],
      costUsd: r['costUsd'],
      requests: r['requests'],
      costPerRequestUsd: r['costPerRequestUsd'],
      costPerConversationUsd: r['costPerConversationUsd'],
      costPerActiveUserUsd: r['costPerActiveUserUsd'],
      aiCostShareOfRevenue: r['aiCostShareOfRevenue'],
      outcomes: (r['outcomes'] as { metric: string; costPerUnitUsd: number | null }[])
        .map((o) => `${o.metric} ${o.costPerUnitUsd === null ? '-' : perUnit(o.costPerUnitUsd)}`)
        .join('; '),
      costChangePct: (r['trend'] as { costChangePct: number | null } | null)?.costChangePct ?? null,
      costPerRequestChangePct:
        (r['trend'] as { costPerRequestChangePct: number | null } | null)?.costPerRequestChangePct ?? null,
    }));
    const columns =
      view === 'finance'
        ? [by, 'costUsd', 'outcomes', 'aiCostShareOfRevenue', 'costChangePct']
        : view === 'engineering'
          ? [
              by,
              'requests',
              'costPerRequestUsd',
              'costPerConversationUsd',
              'costPerActiveUserUsd',
              'costPerRequestChangePct',
            ]
          : undefined;
    ctx.out.table(flat, columns);
  },
});

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * `--by feature` / `--by tag:K`: cost and requests per request-tag value on the ledger basis (what
 * `tally usage --by tag:K` sums), converted to reporting.currency when it is not the ledger's USD.
 */
async function byTag(ctx: CommandContext, period: string, key: string): Promise<void> {
  const settings = allocationSettings(ctx.config());
  const currency = settings.currency ?? LEDGER_CURRENCY;
  const store = await ctx.openStore({ readOnly: true });
  const scope = ctx.scope?.teams ?? null;
  const used = new Map<string, AppliedRate>();
  const load = async (p: string): Promise<TagUsage[]> => {
    const w = monthWindow(p);
    // A team-scoped caller sees its teams' traffic only: grouped by team too, other teams' rows dropped, and
    // the remaining rows summed per tag value.
    const aggs = await store.aggregateUsage({
      from: w.from,
      to: w.to,
      by: scope ? ['team', `tag:${key}`] : [`tag:${key}`],
    });
    const rates = currency === LEDGER_CURRENCY ? null : await ratesFor(store, w, settings.rates ?? []);
    const byValue = new Map<string | null, { requests: number; costNanos: Nanos }>();
    for (const a of aggs) {
      if (scope && !scope.includes(a.dims['team'] ?? '')) continue;
      const value = a.dims[`tag:${key}`] ?? null;
      const was = byValue.get(value);
      byValue.set(value, {
        requests: (was?.requests ?? 0) + a.requests,
        costNanos: (was?.costNanos ?? 0n) + a.costNanos,
      });
    }
    return [...byValue].map(([value, a]) => {
      let costNanos = a.costNanos;
      if (rates) {
        const c = rates.convert(costNanos, LEDGER_CURRENCY, currency, isoDay(w.from));
        used.set(`${c.rate.day}:${c.rate.source}`, c.rate);
        costNanos = c.nanos;
      }
      return { value, requests: a.requests, costNanos };
    });
  };
  const by = key === 'feature' ? 'feature' : `tag:${key}`;
  const { rows, total } = tagUnitEconomics(await load(period), await load(previousMonth(period)), by);
  const doc = {
    period,
    previousPeriod: previousMonth(period),
    by,
    basis: 'ledger',
    ...(scope ? { teams: [...scope] } : {}),
    currency,
    exchangeRates: [...used.values()],
    kpiSource: null,
    rows,
    total,
  };
  if (ctx.json) return ctx.out.json(doc);
  ctx.out.line(
    `Unit economics ${period} by ${by} (ledger basis, request tags): AI cost ${formatMoney(total['costUsd'] === undefined ? 0n : toNanos(total['costUsd']), currency)}`,
  );
  ctx.out.line(describeRates(currency, [...used.values()]));
  ctx.out.table(
    [...rows, { [by]: '(all)', ...total }].map((r) => ({
      [by]: r[by],
      costUsd: r['costUsd'],
      requests: r['requests'],
      costPerRequestUsd: r['costPerRequestUsd'],
      shareOfCost: r['shareOfCost'] ?? null,
      costPerRequestChangePct:
        (r['trend'] as { costPerRequestChangePct: number | null } | null | undefined)
          ?.costPerRequestChangePct ?? null,
    })),
  );
}

const toNanos = (usd: unknown) => parseUsd(String(usd));

/** The overall activity of a window without events. */
const NO_ACTIVITY = { scope: 'all', requests: 0, conversations: 0, activeUsers: 0 } as const;
