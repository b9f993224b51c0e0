/** `tally sql "SELECT ..."`: a read-only SQL door into the store for power users. */
import { TallyError } from '../../core/index.js';
import { READ_ONLY_SQL_MAX_ROWS } from '../../store/index.js';
import { defineCommand } from '../command.js';

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
    // A whole number from 1; the API and assistants always use the default cap.
    const maxRows = ctx.num('max-rows', { integer: true, min: 1 }) ?? READ_ONLY_SQL_MAX_ROWS;
    const store = await ctx.openStore({ readOnly: true });
    const rows = await store.readOnlySql(text, { maxRows });
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
});
