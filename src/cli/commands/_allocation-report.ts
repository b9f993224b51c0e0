/** Shared option handling for the allocation reports (chargeback, export focus, unit economics). */
import { TallyError, nanosToUsd, previousMonth } from '../../core/index.js';
import {
  allocatePeriod,
  allocationSettings,
  CONSUMER_DIMENSIONS,
  type ConsumerDimension,
  type CostBasis,
  type CostMetric,
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

/** The --basis and --metric options every report on the cost basis shares (ADR 0024). */
export const BASIS_OPTIONS = {
  basis: {
    type: 'string',
    description:
      'export (default: the cost export, ledger-priced past its last day) or ledger (gateway usage only)',
  },
  metric: { type: 'string', description: 'amortized (default: EffectiveCost) or billed (BilledCost)' },
} as const;

/** --basis export|ledger and --metric amortized|billed, checked. */
export function basisOptions(ctx: WithOptions<'basis' | 'metric'>): { basis: CostBasis; metric: CostMetric } {
  const basis = ctx.str('basis') ?? 'export';
  const metric = ctx.str('metric') ?? 'amortized';
  if (basis !== 'export' && basis !== 'ledger')
    throw new TallyError('invalid_input', `--basis "${basis}": use export or ledger`, { field: 'basis' });
  if (metric !== 'amortized' && metric !== 'billed')
    throw new TallyError('invalid_input', `--metric "${metric}": use amortized or billed`, {
      field: 'metric',
    });
  return { basis, metric };
}

/**
 * The boundary a report shows: the basis, where the export stops, and the ledger-priced part after it; and the
 * currency every `...Usd` amount of the report is in (the reporting currency; the names predate it) with the
 * exchange rates used to get there (ADR 0030). Narrowed to `teams`, the ledger fill is those teams' only: the
 * organisation's would show a scoped caller other teams' usage after the export's last day.
 */
export function basisDoc(
  pa: PeriodAllocation,
  teams: ReadonlySet<string> | null = null,
): Record<string, unknown> {
  return {
    currency: pa.currency.currency,
    exchangeRates: pa.currency.rates.map((r) => ({
      from: r.from,
      to: r.to,
      rate: r.rate,
      inverse: r.inverse,
      day: r.day,
      source: r.source,
      ...(r.via ? { via: r.via.currency, legs: r.via.legs.map(({ via: _, ...leg }) => leg) } : {}),
    })),
    basis: pa.basis.basis,
    metric: pa.basis.metric,
    exportThrough: pa.basis.exportThrough,
    ledgerFrom: pa.basis.ledgerFrom,
    ledgerFilledCostUsd: nanosToUsd(teams ? teamsLedgerFill(pa, teams) : pa.ledgerFilledNanos),
  };
}

/** The ledger-priced usage of `teams` after the export's last day (what their chargeback lines contain of it). */
function teamsLedgerFill(pa: PeriodAllocation, teams: ReadonlySet<string>): bigint {
  let n = 0n;
  for (const u of pa.fillUsage) if (u.team !== null && teams.has(u.team)) n += u.costNanos;
  return n;
}

/** Allocates the period and, when asked, the one before it. */
export async function allocateWithPrevious(
  ctx: CommandContext,
  period: string,
  withPrevious: boolean,
  rows: 'each' | 'grouped' = 'grouped',
  on: { basis?: CostBasis; metric?: CostMetric } = {},
): Promise<{
  store: CostStore;
  current: PeriodAllocation;
  previous: PeriodAllocation | null;
  unallocatedLabel: string;
}> {
  const settings = allocationSettings(ctx.config());
  const store = await ctx.openStore({ readOnly: true });
  const memo = ctx.memo;
  const current = await allocatePeriod(store, period, settings, { rows, ...on, memo });
  const previous = withPrevious
    ? await allocatePeriod(store, previousMonth(period), settings, { ...on, memo })
    : null;
  return { store, current, previous, unallocatedLabel: settings.unallocatedLabel };
}
