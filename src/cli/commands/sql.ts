/** `tally sql "SELECT ..."`: a read-only SQL door into the store for power users. */
import { TallyError } from '../../core/index.js';
import { defineCommand } from '../command.js';

export const sqlCommand = defineCommand({
  positionals: true,
  async run(ctx) {
    const text = ctx.positionals.join(' ').trim();
    if (!text)
      throw new TallyError(
        'invalid_input',
        'give a query, e.g. tally sql "SELECT count(*) FROM usage_events"',
      );
    const store = await ctx.openStore({ readOnly: true });
    const rows = await store.readOnlySql(text);
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
});
