/** The --period of recommend, carbon and maturity: given, or the last complete month in the ledger. */
import { TallyError } from '../../core/index.js';
import { latestCompleteMonth } from '../../analytics/index.js';
import type { CostStore } from '../../store/index.js';
import type { OptionSpec } from '../command.js';

/** The option spec, shared so the three commands describe it the same way. */
export const latestPeriodOption = {
  type: 'string',
  description: 'UTC calendar month YYYY-MM (default: the last complete month in the ledger)',
} as const satisfies OptionSpec;

/** --period, else the ledger's last complete month; `not_found` on an empty ledger. */
export async function periodOrLatest(given: string | undefined, store: CostStore): Promise<string> {
  const period = given ?? (await latestCompleteMonth(store));
  if (!period)
    throw new TallyError('not_found', 'the ledger has no usage yet: give --period or record traffic first');
  return period;
}
