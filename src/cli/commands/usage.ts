/**
 * `tally usage`: what the ledger holds, grouped. While a gateway runs on the same store it holds DuckDB's
 * single write lock, so the report first asks that gateway (`GET /admin/usage`, admin token from the
 * `<db>.gateway.json` state file) and otherwise opens the store read-only.
 */
import {
  parseUsageBy,
  parseWindow,
  askRunningGateway,
  usageReport,
  usageHosting,
  type UsageRow,
} from '../../gateway/index.js';
import { TallyError } from '../../core/index.js';
import { defineCommand } from '../command.js';

export const usageCommand = defineCommand({
  options: {
    by: {
      type: 'string',
      description:
        'group by: team, app, environment, costCenter, keyId, endUser, model, deployment, deploymentType, day, ...',
    },
    from: { type: 'string', description: 'window start, UTC (default: all time)' },
    to: { type: 'string', description: 'window end, exclusive, UTC (default: now + 1 day)' },
  },
  async run(ctx) {
    const by = parseUsageBy(ctx.str('by'));
    const w = parseWindow(ctx.str('from'), ctx.str('to'));
    const q = new URLSearchParams({ by: by.join(','), from: w.from.toISOString(), to: w.to.toISOString() });
    let rows = (await askRunningGateway(ctx.dbPath, 'GET', `/admin/usage?${q.toString()}`)) as
      UsageRow[] | null;
    if (!rows) {
      const store = await ctx.openStore({ readOnly: true });
      rows = await usageReport(store, { by, ...w }, usageHosting(ctx.config()));
    }
    // A team-scoped caller sees its teams only: the report must be grouped by team so no row mixes teams.
    const scope = ctx.scope?.teams;
    if (scope) {
      if (!by.includes('team'))
        throw new TallyError(
          'forbidden',
          'a team-scoped token sees usage grouped by team (add team to --by)',
          {
            field: 'by',
          },
        );
      rows = rows.filter((r) => scope.includes(String((r as Record<string, unknown>)['team'])));
    }
    if (ctx.json) ctx.out.json(rows);
    else ctx.out.table(rows);
  },
});
