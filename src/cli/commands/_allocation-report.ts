/** Shared option handling for the allocation reports (chargeback, export focus, unit economics). */
import { TallyError, previousMonth } from '../../core/index.js';
import {
  allocatePeriod,
  allocationSettings,
  CONSUMER_DIMENSIONS,
  type ConsumerDimension,
  type PeriodAllocation,
} from '../../analytics/index.js';
import type { CostStore } from '../../store/index.js';
import type { CommandContext, WithOptions } from '../command.js';

/** JSON key for a consumer dimension ("cost-center" -> "costCenter"). */
export function dimensionKey(by: ConsumerDimension): string {
  return by === 'cost-center' ? 'costCenter' : by;
}

/** The required --period YYYY-MM. */
export function periodOption(ctx: WithOptions<'period'>): string {
  const p = ctx.str('period');
  if (!p)
    throw new TallyError('invalid_input', 'give --period YYYY-MM (a UTC calendar month)', {
      field: 'period',
    });
  return p;
}

/** The optional --view finance|engineering. */
export function viewOption(ctx: WithOptions<'view'>): 'finance' | 'engineering' | undefined {
  const view = ctx.str('view');
  if (view !== undefined && view !== 'finance' && view !== 'engineering')
    throw new TallyError('invalid_input', `--view "${view}": use finance or engineering`, { field: 'view' });
  return view;
}

/** --by team|cost-center|app|environment (cost_center and costCenter accepted too). */
export function dimensionOption(ctx: WithOptions<'by'>, fallback: ConsumerDimension): ConsumerDimension {
  const raw = ctx.str('by');
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase().replace('_', '-').replace('costcenter', 'cost-center');
  if ((CONSUMER_DIMENSIONS as readonly string[]).includes(v)) return v as ConsumerDimension;
  throw new TallyError('invalid_input', `--by "${raw}": use one of ${CONSUMER_DIMENSIONS.join(', ')}`, {
    field: 'by',
  });
}

/** Allocates the period and, when asked, the one before it. */
export async function allocateWithPrevious(
  ctx: CommandContext,
  period: string,
  withPrevious: boolean,
  rows: 'each' | 'grouped' = 'grouped',
): Promise<{
  store: CostStore;
  current: PeriodAllocation;
  previous: PeriodAllocation | null;
  unallocatedLabel: string;
}> {
  const settings = allocationSettings(ctx.config());
  const store = await ctx.openStore({ readOnly: true });
  const current = await allocatePeriod(store, period, settings, { rows });
  const previous = withPrevious ? await allocatePeriod(store, previousMonth(period), settings) : null;
  return { store, current, previous, unallocatedLabel: settings.unallocatedLabel };
}
