/** `tally export focus`: the period's allocated AI costs as a FOCUS 1.2 + 1.3 Allocated* CSV file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TallyError, formatMoney, formatUsd, monthWindow, parseUsd, sumNanos } from '../../core/index.js';
import { focusExportRows, FOCUS_EXPORT_COLUMNS, toCsv } from '../../export/index.js';
import { defineCommand } from '../command.js';
import { allocateWithPrevious, dimensionOption, periodOption } from './_allocation-report.js';

export const exportFocusCommand = defineCommand({
  options: {
    period: { type: 'string', description: 'UTC calendar month YYYY-MM' },
    out: { type: 'string', description: 'CSV file to write' },
    by: { type: 'string', description: 'consumer named in AllocatedResourceName (default team)' },
  },
  async run(ctx) {
    const period = periodOption(ctx);
    monthWindow(period);
    const out = ctx.str('out');
    if (!out) throw new TallyError('invalid_input', 'give --out FILE.csv', { field: 'out' });
    const by = dimensionOption(ctx, 'team');
    const { current, unallocatedLabel } = await allocateWithPrevious(ctx, period, false, 'each');
    const rows = focusExportRows(current, by, unallocatedLabel);
    const path = resolve(out);
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, toCsv(FOCUS_EXPORT_COLUMNS, rows));
    } catch (err) {
      throw new TallyError('io_error', `cannot write ${path}: ${(err as Error).message}`, { file: path });
    }
    const effective = sumNanos(rows.map((r) => parseUsd(r['EffectiveCost'] ?? '0')));
    const summary = {
      period,
      file: path,
      rows: rows.length,
      sourceRows: current.rows.length,
      effectiveCostUsd: Number(formatUsd(effective, 9)),
      currency: current.currency.currency,
    };
    if (ctx.json) ctx.out.json(summary);
    else
      ctx.out.line(
        `wrote ${rows.length} FOCUS rows (${current.rows.length} cost rows split by ${by}, ${formatMoney(effective, current.currency.currency)}) to ${path}`,
      );
  },
});
