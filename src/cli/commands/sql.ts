/** `tally sql "SELECT ..."`: a read-only SQL door into the store for power users. */
import { TallyError } from '../../core/index.js';
import { READ_ONLY_SQL_MAX_ROWS } from '../../store/index.js';
import { defineCommand } from '../command.js';

/** `--max-rows`: a whole number from 1, or the default cap (the API and assistants always use the default). */
function maxRowsOption(text: string | undefined): number {
  if (text === undefined) return READ_ONLY_SQL_MAX_ROWS;
  if (!/^[1-9]\d{0,9}$/.test(text))
    throw new TallyError('invalid_input', `--max-rows: "${text}" is not a whole number from 1`, {
      field: 'max-rows',
    });
  return Number(text);
}

export const sqlCommand = defineCommand({
  positionals: true,
  options: {
    'max-rows': {
      type: 'string',
      description: `refuse a result longer than this (default ${READ_ONLY_SQL_MAX_ROWS.toLocaleString('en-US')} rows)`,
    },
  },
  async run(ctx) {
    const text = ctx.positionals.join(' ').trim();
    if (!text)
      throw new TallyError(
        'invalid_input',
        'give a query, e.g. tally sql "SELECT count(*) FROM usage_events"',
      );
    const maxRows = maxRowsOption(ctx.str('max-rows'));
    const store = await ctx.openStore({ readOnly: true });
    const rows = await store.readOnlySql(text, { maxRows });
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
});
