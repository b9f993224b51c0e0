/** `tally store copy --from PATH_OR_URL --to PATH_OR_URL`: moves every table to another store and checks it. */
import { TallyError } from '../../core/index.js';
import { copyStore, openStore, resolveDbPath, storeSettings, type CostStore } from '../../store/index.js';
import { defineCommand } from '../command.js';

export const storeCopyCommand = defineCommand({
  options: {
    from: { type: 'string', description: 'the store to copy: a DuckDB file or postgres://… URL' },
    to: {
      type: 'string',
      description: 'the store to fill: a DuckDB file or postgres://… URL (must be empty)',
    },
    replace: { type: 'boolean', description: 'empty a target that already holds data, then copy' },
  },
  // It opens both stores itself: never forwarded to a running server.
  local: true,
  writes: true,
  async run(ctx) {
    const fromArg = ctx.str('from');
    const toArg = ctx.str('to');
    if (!fromArg || !toArg)
      throw new TallyError(
        'invalid_input',
        'give both stores: tally store copy --from PATH_OR_URL --to PATH_OR_URL',
      );
    const settings = storeSettings(ctx.config().store);
    const stores: CostStore[] = [];
    try {
      const from = await openStore({ path: resolveDbPath({ db: fromArg }), ...settings });
      stores.push(from);
      const to = await openStore({ path: resolveDbPath({ db: toArg }), ...settings });
      stores.push(to);
      ctx.out.note(`copying ${from.location} -> ${to.location}`);
      let shown = '';
      const summary = await copyStore(from, to, {
        replace: ctx.flag('replace'),
        onProgress: (table, rows) => {
          // One line per table, then per 100,000 rows of the big ones.
          const line = `${table}: ${rows.toLocaleString('en-US')} rows`;
          if (table !== shown || rows % 100_000 < 20_000) ctx.out.note(line);
          shown = table;
        },
      });
      if (ctx.json) ctx.out.json(summary);
      else
        ctx.out.table(
          summary.tables.map((x) => ({
            table: x.table,
            copied: x.rows,
            source: x.sourceRows,
            target: x.targetRows,
            totals: Object.entries(x.totals)
              .map(([c, v]) => `${c} ${v.target}`)
              .join(', '),
            ok: x.ok ? 'yes' : 'NO',
          })),
        );
      if (!summary.ok)
        throw new TallyError('io_error', 'store copy: the target does not match the source (see the table)', {
          tables: summary.tables.filter((x) => !x.ok).map((x) => x.table),
        });
    } finally {
      for (const s of stores) await s.close().catch(() => undefined);
    }
  },
});
