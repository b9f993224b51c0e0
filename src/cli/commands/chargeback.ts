/** `tally chargeback`: showback/chargeback per team, cost center, app or environment (or a persona view). */
import { writeFileSync } from 'node:fs';
import { TallyError, describeRates, formatMoney, monthWindow, nanosToUsd } from '../../core/index.js';
import {
  buildChargeback,
  chargebackBalances,
  type Chargeback,
  type PeriodAllocation,
  engineeringView,
  financeView,
  loadCostCenterBudgets,
  loadDeploymentStats,
} from '../../analytics/index.js';
import { toCsv, type CsvValue } from '../../export/index.js';
import { defineCommand, type WithOptions } from '../command.js';
import {
  allocateWithPrevious,
  BASIS_OPTIONS,
  basisDoc,
  basisOptions,
  dimensionKey,
  dimensionOption,
  periodOption,
  viewOption,
} from './_allocation-report.js';
import { withCarbonColumns } from './_carbon-columns.js';

export const chargebackCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    by: {
      type: 'string',
      description: 'team (default), cost-center (default for --view finance), app or environment',
    },
    view: {
      type: 'string',
      description: 'finance (cost center, budget, trend) or engineering (model, latency)',
    },
    csv: { type: 'boolean', description: 'print CSV (safe to open in a spreadsheet)' },
    out: { type: 'string', description: 'write the CSV to this file instead of stdout' },
    team: { type: 'string', multiple: true, description: 'only these teams (repeatable; with --by team)' },
    'with-carbon': {
      type: 'boolean',
      description: 'add energy (Wh) and gCO2e ranges per row (tally carbon)',
    },
    ...BASIS_OPTIONS,
  },
  async run(ctx) {
    const period = periodOption(ctx);
    monthWindow(period);
    const view = viewOption(ctx);
    const teams = teamFilter(ctx, view, ctx.str('by'));
    if (view === 'engineering') return engineering(ctx, period);
    const by = dimensionOption(ctx, view === 'finance' ? 'cost-center' : 'team');
    const on = basisOptions(ctx);
    const { store, current, previous, unallocatedLabel } = await allocateWithPrevious(
      ctx,
      period,
      true,
      'grouped',
      on,
    );
    const whole = buildChargeback(current.result, previous?.result ?? null, by);
    if (!chargebackBalances(whole))
      throw new TallyError('internal', 'allocation does not balance; please report this with the period');
    // Shares are computed over every consumer (a team's share of shared cost depends on the others' usage);
    // only then are the lines narrowed to the teams asked for or allowed.
    if (teams) return printTeams(ctx, period, whole, teams, basisDoc(current, teams));
    const cb = whole;
    const key = dimensionKey(by);
    let rows: Record<string, CsvValue>[];
    if (view === 'finance') {
      rows = financeView(cb, await loadCostCenterBudgets(store)).map((r) => {
        const { costCenter, ...rest } = r;
        return { [key]: costCenter, ...rest };
      });
    } else rows = cb.lines.map(lineRow(key));
    if (ctx.flag('with-carbon')) rows = await withCarbonColumns(store, period, by, key, rows, ctx.config());
    const doc = {
      period,
      by,
      ...(view ? { view } : {}),
      totalCostUsd: nanosToUsd(cb.totalNanos),
      exportCostUsd: nanosToUsd(cb.exportNanos),
      ledgerOnlyCostUsd: nanosToUsd(cb.ledgerOnlyNanos),
      ...basisDoc(current),
      previousTotalCostUsd: cb.previousTotalNanos === null ? null : nanosToUsd(cb.previousTotalNanos),
      rows,
      unallocatedCostUsd: nanosToUsd(cb.unallocatedNanos),
      unallocatedLabel,
    };
    if (ctx.flag('csv')) return writeCsv(ctx, rows, unallocatedLabel, cb.unallocatedNanos, key);
    if (ctx.json) {
      ctx.out.json(doc);
      return;
    }
    const cur = current.currency.currency;
    ctx.out.line(
      `AI cost ${period} by ${by}: ${formatMoney(cb.totalNanos, cur)} (export ${formatMoney(cb.exportNanos, cur)}, ledger-only ${formatMoney(cb.ledgerOnlyNanos, cur)})`,
    );
    ctx.out.line(boundaryLine(current.basis, current.ledgerFilledNanos, cur));
    ctx.out.line(describeRates(cur, current.currency.rates));
    ctx.out.table([
      ...rows,
      {
        [key]: unallocatedRowLabel(unallocatedLabel),
        [view ? 'effectiveCostUsd' : 'totalCostUsd']: nanosToUsd(cb.unallocatedNanos),
      },
    ]);
  },
});

/**
 * The teams a run may show: the caller's scope (team-scoped API tokens), narrowed by --team; null for all.
 * A scoped caller sees chargeback by team only, and asking for a team outside its scope is forbidden.
 */
function teamFilter(
  ctx: WithOptions<never, never, 'team'>,
  view: string | undefined,
  by: string | undefined,
): Set<string> | null {
  const asked = (ctx.values['team'] as string[] | undefined) ?? [];
  const scope = ctx.scope?.teams;
  if (!scope && asked.length === 0) return null;
  if ((by !== undefined && by !== 'team') || view !== undefined)
    throw new TallyError(
      scope ? 'forbidden' : 'invalid_input',
      scope ? 'a team-scoped token sees chargeback by team only' : '--team goes with --by team',
      { field: 'team' },
    );
  const outside = scope ? asked.filter((t) => !scope.includes(t)) : [];
  if (outside.length > 0)
    throw new TallyError('forbidden', `not in your teams: ${outside.join(', ')}`, { field: 'team' });
  return new Set(asked.length > 0 ? asked : scope);
}

/** Chargeback narrowed to some teams: their lines, and totals and shares over those lines only (no org-wide figures). */
function printTeams(
  ctx: WithOptions<never, 'csv'>,
  period: string,
  cb: Chargeback,
  teams: Set<string>,
  basis: Record<string, unknown>,
): void {
  const lines = cb.lines.filter((l) => teams.has(l.consumer));
  const total = lines.reduce((a, l) => a + l.totalNanos, 0n);
  const prev = lines.some((l) => l.previousTotalNanos !== null)
    ? lines.reduce((a, l) => a + (l.previousTotalNanos ?? 0n), 0n)
    : null;
  // Shares are of what the caller sees: a share of the organisation would reveal its total (total / share).
  const rows = lines.map((l) => ({
    ...lineRow('team')(l),
    shareOfTotal: total === 0n ? 0 : Number((l.totalNanos * 1_000_000n) / total) / 1_000_000,
  }));
  const doc = {
    period,
    by: 'team',
    teams: [...teams].sort(),
    totalCostUsd: nanosToUsd(total),
    ...basis,
    previousTotalCostUsd: prev === null ? null : nanosToUsd(prev),
    rows,
  };
  if (ctx.flag('csv')) {
    ctx.write(toCsv(Object.keys(rows[0] ?? { team: null, totalCostUsd: null }), rows));
    return;
  }
  if (ctx.json) {
    ctx.out.json(doc);
    return;
  }
  ctx.out.line(
    `AI cost ${period} for ${doc.teams.join(', ')}: ${formatMoney(total, String(basis['currency']))}`,
  );
  ctx.out.table(rows);
}

/** One chargeback line as a row (money exact, change against the previous period). */
function lineRow(key: string) {
  return (l: Chargeback['lines'][number]): Record<string, CsvValue> => ({
    [key]: l.consumer,
    directCostUsd: nanosToUsd(l.directNanos),
    sharedCostUsd: nanosToUsd(l.sharedNanos),
    totalCostUsd: nanosToUsd(l.totalNanos),
    shareOfTotal: l.shareOfTotal,
    previousTotalCostUsd: l.previousTotalNanos === null ? null : nanosToUsd(l.previousTotalNanos),
    changeUsd: l.previousTotalNanos === null ? null : nanosToUsd(l.totalNanos - l.previousTotalNanos),
    changePct:
      l.previousTotalNanos === null || l.previousTotalNanos === 0n
        ? null
        : Number(((l.totalNanos - l.previousTotalNanos) * 10_000n) / l.previousTotalNanos) / 100,
  });
}

function writeCsv(
  ctx: WithOptions<'out'>,
  rows: Record<string, CsvValue>[],
  label: string,
  unallocated: bigint,
  key: string,
): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (columns.length === 0) columns.push(key, 'totalCostUsd');
  const totalCol = columns.includes('totalCostUsd') ? 'totalCostUsd' : 'effectiveCostUsd';
  const all = [...rows, { [key]: unallocatedRowLabel(label), [totalCol]: nanosToUsd(unallocated) }];
  const text = toCsv(columns, all);
  const out = ctx.str('out');
  if (out) {
    writeFileSync(out, text);
    ctx.out.note(`wrote ${all.length} rows to ${out}`);
  } else ctx.write(text);
}

async function engineering(ctx: WithOptions<'out', 'csv'>, period: string): Promise<void> {
  const { store, current } = await allocateWithPrevious(ctx, period, false);
  const rows = engineeringView(
    await loadDeploymentStats(store, monthWindow(period)),
    current.rows,
    current.usage,
  );
  if (ctx.flag('csv')) {
    const text = toCsv(Object.keys(rows[0] ?? { model: null }), rows);
    const out = ctx.str('out');
    if (out) writeFileSync(out, text);
    else ctx.write(text);
    return;
  }
  if (ctx.json) {
    ctx.out.json({ period, view: 'engineering', rows });
    return;
  }
  ctx.out.line(`AI usage ${period} by model and deployment (engineering view)`);
  ctx.out.table(rows);
}

/** The label of the unallocated line in tables and CSV. */
function unallocatedRowLabel(label: string): string {
  return label === 'unallocated' ? '(unallocated)' : `${label} (unallocated)`;
}

/** One line naming the basis and, on the export basis, where the export stops and the ledger fills in. */
export function boundaryLine(b: PeriodAllocation['basis'], filled: bigint, currency = 'USD'): string {
  if (b.basis === 'ledger')
    return `basis: gateway ledger only (effective rates); ${b.metric} export amounts not used`;
  const through = b.exportThrough ? `export (${b.metric}) through ${b.exportThrough}` : 'no cost export';
  return `basis: ${through}; ledger-priced usage from ${b.ledgerFrom}: ${formatMoney(filled, currency)}`;
}
