/** The --period of recommend, carbon and maturity: given, or the last complete month in the ledger. */
import { TallyError } from '../../core/index.js';
import { latestCompleteMonth } from '../../analytics/recommend/index.js';
import type { CostStore } from '../../store/index.js';
import type { CommandContext, OptionSpec } from '../command.js';

/** The option spec, shared so the three commands describe it the same way. */
export const latestPeriodOption: OptionSpec = {
  type: 'string',
  description: 'UTC calendar month YYYY-MM (default: the last complete month in the ledger)',
};

/** --period, else the ledger's last complete month; `not_found` on an empty ledger. */
export async function periodOrLatest(ctx: CommandContext, store: CostStore): Promise<string> {
  const period = ctx.str('period') ?? (await latestCompleteMonth(store));
  if (!period)
    throw new TallyError('not_found', 'the ledger has no usage yet: give --period or record traffic first');
  return period;
}
