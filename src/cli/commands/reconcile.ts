/** `tally reconcile`: metered (ledger) cost against billed and effective cost in the export, variance explained. */
import { TallyError, describeRates, formatMoney, monthWindow, nanosToUsd } from '../../core/index.js';
import {
  allocationSettings,
  LEDGER_CURRENCY,
  loadCostGroupsIn,
  loadMeteredUsage,
  reconcile,
  type ReconcileBy,
} from '../../analytics/index.js';
import { defineCommand } from '../command.js';
import { periodOption, viewOption } from './_allocation-report.js';

const BYS: readonly ReconcileBy[] = ['deployment', 'model', 'day'];

export const reconcileCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    by: { type: 'string', description: 'deployment (default; day for --view finance), model or day' },
    view: {
      type: 'string',
      description: 'finance (billed vs effective by day) or engineering (tokens, list cost)',
    },
    threshold: {
      type: 'string',
      description: 'flag unexplained variance above this fraction of cost (default 0.05)',
    },
  },
  async run(ctx) {
    const period = periodOption(ctx);
    const w = monthWindow(period);
    const view = viewOption(ctx);
    const byRaw = ctx.str('by') ?? (view === 'finance' ? 'day' : 'deployment');
    if (!(BYS as readonly string[]).includes(byRaw))
      throw new TallyError('invalid_input', `--by "${byRaw}": use deployment, model or day`, { field: 'by' });
    const by = byRaw as ReconcileBy;
    const thresholdPct = ctx.num('threshold', { min: 0 }) ?? 0.05;
    const store = await ctx.openStore({ readOnly: true });
    // The ledger is priced in USD; export rows billed in another currency are converted to it at their day's
    // rate (or refused without one) before they are compared, never compared or added as they are (ADR 0041).
    const billed = await loadCostGroupsIn(
      store,
      w,
      LEDGER_CURRENCY,
      allocationSettings(ctx.config()).rates ?? [],
      {
        byDay: by === 'day',
      },
    );
    const lines = reconcile(billed.rows, await loadMeteredUsage(store, w), {
      by,
      thresholdPct,
    });
    const rows = lines.map((l) => ({
      [by]: l.key,
      requests: l.requests,
      tokens: Number(l.tokens),
      tokensPerRequest: l.requests === 0 ? null : Math.round(Number(l.tokens) / l.requests),
      meteredCostUsd: nanosToUsd(l.meteredNanos),
      meteredListCostUsd: nanosToUsd(l.meteredListNanos),
      billedCostUsd: nanosToUsd(l.billedNanos),
      effectiveCostUsd: nanosToUsd(l.effectiveNanos),
      listCostUsd: l.listNanos === null ? null : nanosToUsd(l.listNanos),
      varianceUsd: nanosToUsd(l.varianceNanos),
      unexplainedUsd: nanosToUsd(l.unexplainedNanos),
      flagged: l.flagged,
      explanation: l.explanation,
      components: l.components.map((c) => ({
        kind: c.kind,
        amountUsd: nanosToUsd(c.nanos),
        detail: c.detail,
      })),
    }));
    const sum = (f: (l: (typeof lines)[number]) => bigint) => lines.reduce((a, l) => a + f(l), 0n);
    const totals = {
      meteredCostUsd: nanosToUsd(sum((l) => l.meteredNanos)),
      billedCostUsd: nanosToUsd(sum((l) => l.billedNanos)),
      effectiveCostUsd: nanosToUsd(sum((l) => l.effectiveNanos)),
      varianceUsd: nanosToUsd(sum((l) => l.varianceNanos)),
      unexplainedUsd: nanosToUsd(sum((l) => l.unexplainedNanos)),
    };
    const flagged = lines.filter((l) => l.flagged).length;
    if (ctx.json) {
      ctx.out.json({
        period,
        by,
        ...(view ? { view } : {}),
        thresholdPct,
        currency: LEDGER_CURRENCY,
        exchangeRates: billed.rates,
        rows,
        totals,
        flaggedCount: flagged,
      });
      return;
    }
    ctx.out.line(
      `Reconciliation ${period} by ${by}: metered ${formatMoney(
        sum((l) => l.meteredNanos),
        LEDGER_CURRENCY,
      )}, billed ${formatMoney(
        sum((l) => l.billedNanos),
        LEDGER_CURRENCY,
      )}, ${flagged} flagged`,
    );
    ctx.out.line(describeRates(LEDGER_CURRENCY, billed.rates));
    // Persona views pick the columns each reader acts on; JSON always carries every column.
    const columns =
      view === 'finance'
        ? [by, 'billedCostUsd', 'effectiveCostUsd', 'meteredCostUsd', 'varianceUsd', 'flagged', 'explanation']
        : view === 'engineering'
          ? [
              by,
              'requests',
              'tokensPerRequest',
              'meteredListCostUsd',
              'meteredCostUsd',
              'billedCostUsd',
              'varianceUsd',
              'flagged',
              'explanation',
            ]
          : [
              by,
              'meteredCostUsd',
              'billedCostUsd',
              'effectiveCostUsd',
              'listCostUsd',
              'varianceUsd',
              'unexplainedUsd',
              'flagged',
              'explanation',
            ];
    ctx.out.table(
      rows.map((r) => ({ ...r, flagged: r.flagged ? 'YES' : '' })),
      columns,
    );
  },
});
