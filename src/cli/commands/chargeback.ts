/** `tally chargeback`: showback/chargeback per team, cost center, app or environment (or a persona view). */
import { writeFileSync } from 'node:fs';
import { TallyError, formatUsd, monthWindow, nanosToUsd } from '../../core/index.js';
import { buildChargeback, chargebackBalances } from '../../analytics/chargeback/index.js';
import {
  engineeringView,
  financeView,
  loadCostCenterBudgets,
  loadDeploymentStats,
} from '../../analytics/views/index.js';
import { toCsv, type CsvValue } from '../../export/index.js';
import type { Command, CommandContext } from '../command.js';
import {
  allocateWithPrevious,
  dimensionKey,
  dimensionOption,
  periodOption,
  viewOption,
} from './_allocation-report.js';

export const chargebackCommand: Command = {
  name: 'chargeback',
  summary: 'direct and allocated shared AI cost per team, cost center, app or environment',
  usage:
    '--period YYYY-MM [--by team|cost-center|app|environment] [--view finance|engineering] [--json|--csv]',
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
  },
  async run(ctx) {
    const period = periodOption(ctx);
    monthWindow(period);
    const view = viewOption(ctx);
    if (view === 'engineering') return engineering(ctx, period);
    const by = dimensionOption(ctx, view === 'finance' ? 'cost-center' : 'team');
    const { store, current, previous, unallocatedLabel } = await allocateWithPrevious(ctx, period, true);
    const cb = buildChargeback(current.result, previous?.result ?? null, by);
    if (!chargebackBalances(cb))
      throw new TallyError('internal', 'allocation does not balance; please report this with the period');
    const key = dimensionKey(by);
    let rows: Record<string, CsvValue>[];
    if (view === 'finance') {
      rows = financeView(cb, await loadCostCenterBudgets(store)).map((r) => {
        const { costCenter, ...rest } = r;
        return { [key]: costCenter, ...rest };
      });
    } else
      rows = cb.lines.map((l) => ({
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
      }));
    const doc = {
      period,
      by,
      ...(view ? { view } : {}),
      totalCostUsd: nanosToUsd(cb.totalNanos),
      exportCostUsd: nanosToUsd(cb.exportNanos),
      ledgerOnlyCostUsd: nanosToUsd(cb.ledgerOnlyNanos),
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
    ctx.out.line(
      `AI cost ${period} by ${by}: $${formatUsd(cb.totalNanos)} (export $${formatUsd(cb.exportNanos)}, ledger-only $${formatUsd(cb.ledgerOnlyNanos)})`,
    );
    ctx.out.table([
      ...rows,
      {
        [key]: unallocatedRowLabel(unallocatedLabel),
        [view ? 'effectiveCostUsd' : 'totalCostUsd']: nanosToUsd(cb.unallocatedNanos),
      },
    ]);
  },
};

function writeCsv(
  ctx: CommandContext,
  rows: Record<string, CsvValue>[],
  label: string,
  unallocated: bigint,
  key: string,
): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (columns.length === 0) columns.push(key, 'totalCostUsd');
  const totalCol = columns.includes('totalCostUsd') ? 'totalCostUsd' : 'effectiveCostUsd';
  const all = [...rows, { [key]: unallocatedRowLabel(label), [totalCol]: nanosToUsd(unallocated) }];
  const text = toCsv(columns, all, { spreadsheetSafe: true });
  const out = ctx.str('out');
  if (out) {
    writeFileSync(out, text);
    ctx.out.note(`wrote ${all.length} rows to ${out}`);
  } else process.stdout.write(text);
}

async function engineering(ctx: CommandContext, period: string): Promise<void> {
  const { store, current } = await allocateWithPrevious(ctx, period, false);
  const rows = engineeringView(
    await loadDeploymentStats(store, monthWindow(period)),
    current.rows,
    current.usage,
  );
  if (ctx.flag('csv')) {
    const text = toCsv(Object.keys(rows[0] ?? { model: null }), rows, { spreadsheetSafe: true });
    const out = ctx.str('out');
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
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
