/** allocate: splits a period's AI spend (direct token charges and shared/fixed costs) among consumers. */
import {
  TallyError,
  monthWindow,
  readRatesFile,
  sumNanos,
  type Nanos,
  type TallyConfig,
} from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { hostedDeployments, loadHostedCosts, type HostedCost } from '../hosting/index.js';
import { allocateCosts, DEFAULT_RULES, ledgerPieces } from './allocate.js';
import {
  checkMatchColumn,
  loadConsumerUsage,
  loadCostGroups,
  loadCostRows,
  loadBillingCurrencies,
  loadExportThrough,
} from './_queries.js';
import {
  RateLog,
  collapseDays,
  convertRows,
  convertUsage,
  LEDGER_CURRENCY,
  ratesFor,
  type CurrencyInfo,
} from './_currency.js';
import { memoKey, type PeriodMemo } from './_memo.js';
import type {
  AllocationPiece,
  AllocationResult,
  AllocationRule,
  AllocationSettings,
  ConsumerUsage,
  CostRow,
} from './_types.js';

export * from './_types.js';
export { allocateCosts, rowCostNanos, isTokenRow, DEFAULT_RULES } from './allocate.js';
export { consumerKey, dimensionValue } from './_consumers.js';
export {
  matchUsage,
  usageMatcher,
  normalizeModel,
  parseJsonObject,
  type UsageMatch,
  type MatchableUsage,
} from './_match.js';
export { loadCostRows, loadCostGroups, loadConsumerUsage, loadExportThrough } from './_queries.js';
export { ratesFor, loadCostGroupsIn, LEDGER_CURRENCY, type CurrencyInfo } from './_currency.js';
export { PeriodMemo, memoKey, changedMonths, type MonthStamps } from './_memo.js';

/** Allocation settings from tally.yaml (defaults when the section is absent). */
export function allocationSettings(config: TallyConfig | undefined): AllocationSettings {
  const a = config?.allocation;
  const rules: AllocationRule[] | undefined = a?.rules?.map((r) => ({
    match: Object.fromEntries(Object.entries(r.match).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    by: r.by,
    ...(r.shares ? { shares: r.shares } : {}),
    ...(r.consumers ? { consumers: r.consumers } : {}),
    dimension: r.dimension,
  }));
  for (const r of rules ?? []) for (const col of Object.keys(r.match)) checkMatchColumn(col);
  return {
    rules: rules ?? DEFAULT_RULES,
    unallocatedLabel: a?.unallocated ?? 'unallocated',
    outputTokenWeight: a?.outputTokenWeight ?? 4,
    cachedTokenWeight: a?.cachedTokenWeight ?? 0,
    hosted: hostedDeployments(config),
    currency: config?.reporting.currency ?? LEDGER_CURRENCY,
    rates: config?.reporting.ratesFile ? readRatesFile(config.reporting.ratesFile) : [],
  };
}

/** Which cost a report stands on: the export (with ledger-priced days it has not reached) or the ledger alone. */
export type CostBasis = 'export' | 'ledger';
/** Which export amount counts: EffectiveCost (amortized, commitments spread over the days) or BilledCost. */
export type CostMetric = 'amortized' | 'billed';

/** How a period's cost was put together: the basis, the metric and where the export stops. */
export interface BasisInfo {
  readonly basis: CostBasis;
  readonly metric: CostMetric;
  /** Last UTC day (YYYY-MM-DD) the export covers, or null when there is none (or the basis is the ledger). */
  readonly exportThrough: string | null;
  /** From here to the period's end the cost is ledger usage at the gateway's effective rates. */
  readonly ledgerFrom: string;
}

/** Everything one period's allocation needs and produces. */
export interface PeriodAllocation {
  readonly period: string;
  readonly rows: readonly CostRow[];
  /** Ledger usage the export part was allocated against (the period up to `basis.ledgerFrom`). */
  readonly usage: readonly ConsumerUsage[];
  /** Ledger usage from `basis.ledgerFrom` to the period's end, charged at its own cost (in `result`). */
  readonly fillUsage: readonly ConsumerUsage[];
  /** The part of `result.totalNanos` that `fillUsage` contributes. */
  readonly ledgerFilledNanos: Nanos;
  readonly basis: BasisInfo;
  /** The reporting currency every amount of `result` is in, and the rates used to convert into it. */
  readonly currency: CurrencyInfo;
  readonly result: AllocationResult;
  /** Self-hosted deployments' hourly cost over the whole period (in `result`; ADR 0026). */
  readonly hosted: readonly HostedCost[];
}

/** Options of one period's allocation. */
export interface PeriodOptions {
  readonly rows?: 'each' | 'grouped';
  /** Default 'export'. */
  readonly basis?: CostBasis;
  /** Default 'amortized' (what the company pays per day once commitments are spread). */
  readonly metric?: CostMetric;
  /** The export's end, when the caller already knows it (saves a query per period). */
  readonly exportThrough?: Date | null;
  /** Closed months' allocations shared between reports of a serving process (ADR 0033); grouped rows only. */
  readonly memo?: PeriodMemo | null;
}

/**
 * Loads a month ("YYYY-MM", UTC, by ChargePeriodStart / start_time) and allocates it on the cost basis every
 * report shares (ADR 0024): export rows allocated against the ledger usage of the days the export covers, plus
 * ledger usage of the days after (exports lag 1-3 days) at the ledger's effective cost. With `rows: 'each'`
 * every cost row is kept with all its columns (for the FOCUS export); otherwise alike rows are summed first.
 */
export async function allocatePeriod(
  store: CostStore,
  period: string,
  settings: AllocationSettings,
  opts: PeriodOptions = {},
): Promise<PeriodAllocation> {
  const basis = opts.basis ?? 'export';
  const metric = opts.metric ?? 'amortized';
  const through =
    basis === 'ledger'
      ? null
      : opts.exportThrough !== undefined
        ? opts.exportThrough
        : await loadExportThrough(store);
  const compute = () => computePeriod(store, period, settings, opts, basis, metric, through);
  if (!opts.memo || opts.rows === 'each') return compute();
  // The export's end matters to a month only as the day its ledger fill starts (clamped to the month), so the
  // key names that cut: a daily export moving the end within a later month keeps this month's allocation
  // (ADR 0040). The printed export end is the store's, set on the way out.
  const w = monthWindow(period);
  const cut =
    through === null ? 'none' : Math.min(w.to.getTime(), Math.max(w.from.getTime(), through.getTime()));
  const key = `allocation/${basis}/${metric}/${cut}/${memoKey(settings)}`;
  const kept = await opts.memo.get(period, key, compute);
  const exportThrough = exportThroughDay(through);
  return kept.basis.exportThrough === exportThrough
    ? kept
    : { ...kept, basis: { ...kept.basis, exportThrough } };
}

/** The last exported day ("YYYY-MM-DD"), from the exclusive end of the exports, or null without one. */
function exportThroughDay(through: Date | null): string | null {
  return through ? new Date(through.getTime() - 86_400_000).toISOString().slice(0, 10) : null;
}

async function computePeriod(
  store: CostStore,
  period: string,
  settings: AllocationSettings,
  opts: PeriodOptions,
  basis: CostBasis,
  metric: CostMetric,
  through: Date | null,
): Promise<PeriodAllocation> {
  const w = monthWindow(period);
  const cutMs = Math.min(w.to.getTime(), Math.max(w.from.getTime(), through?.getTime() ?? w.from.getTime()));
  const cut = new Date(cutMs);
  let rows: CostRow[] = [];
  const currency = settings.currency ?? LEDGER_CURRENCY;
  const log = new RateLog();
  // No export at all (a gateway-only store): nothing to read or check, the ledger is the whole basis.
  const exported = basis === 'export' && through !== null;
  const billed = exported ? await loadBillingCurrencies(store, w) : [];
  // Amounts in different currencies are never added: rows in another currency are converted at their day's rate
  // (by day, then summed per group), and a missing rate refuses the report (ADR 0030).
  const convert = billed.some((c) => c !== currency);
  const rates =
    convert || currency !== LEDGER_CURRENCY ? await ratesFor(store, w, settings.rates ?? []) : null;
  if (exported)
    rows =
      opts.rows === 'each'
        ? await loadCostRows(store, w, settings.rules)
        : convert
          ? collapseDays(
              convertRows(
                await loadCostGroups(store, w, settings.rules, { byDay: true }),
                currency,
                rates!,
                log,
              ),
            )
          : await loadCostGroups(store, w, settings.rules);
  if (exported && opts.rows === 'each' && convert) rows = convertRows(rows, currency, rates!, log);
  if (metric === 'billed') rows = rows.map(billedRow);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const inCurrency = (u: ConsumerUsage[], from: Date) =>
    rates ? convertUsage(u, currency, day(from), rates, log) : u;
  const usage =
    cutMs > w.from.getTime()
      ? inCurrency(await loadConsumerUsage(store, { from: w.from, to: cut }), w.from)
      : [];
  const fillUsage =
    cutMs < w.to.getTime() ? inCurrency(await loadConsumerUsage(store, { from: cut, to: w.to }), cut) : [];
  const filledResult = withLedgerFill(allocateCosts(rows, usage, settings), fillUsage);
  const { filled } = filledResult;
  // Self-hosted hours are in no export: the whole period is priced from their declared hourly cost (USD).
  if (settings.hosted?.length && currency !== LEDGER_CURRENCY)
    throw new TallyError(
      'conflict',
      `self-hosted deployments declare hourlyCostUsd, which is not converted to reporting.currency ${currency} yet: ` +
        'report in USD, or remove the hosting cost',
    );
  const hosted = settings.hosted?.length
    ? await loadHostedCosts(store, settings.hosted, w, CONSUMER_DIMS, settings)
    : [];
  const result = withHostedCost(filledResult.result, hosted);
  return {
    period,
    rows,
    usage,
    fillUsage,
    ledgerFilledNanos: filled,
    basis: {
      basis,
      metric,
      exportThrough: exportThroughDay(through),
      ledgerFrom: cut.toISOString().slice(0, 10),
    },
    currency: { currency, rates: log.list() },
    result,
    hosted,
  };
}

const CONSUMER_DIMS = ['team', 'cost_center', 'app', 'environment'] as const;

/**
 * Adds self-hosted cost to an allocation: each consumer's share of the hours it used (a `ledger` piece), and the
 * idle hours' cost unallocated, so the period's total carries every hour the deployments ran.
 */
export function withHostedCost(r: AllocationResult, hosted: readonly HostedCost[]): AllocationResult {
  const pieces: AllocationPiece[] = [];
  for (const h of hosted) {
    const name = `${h.deployment.upstream}/${h.deployment.deployment}`;
    for (const g of h.groups)
      if (g.nanos > 0n)
        pieces.push({
          rowIndex: null,
          consumer: {
            team: g.dims['team'] ?? null,
            costCenter: g.dims['cost_center'] ?? null,
            app: g.dims['app'] ?? null,
            environment: g.dims['environment'] ?? null,
          },
          kind: 'direct',
          method: 'ledger',
          rule: null,
          nanos: g.nanos,
          reason: `self-hosted ${name}: $${h.deployment.hourlyCostUsd} an hour split over each hour's weighted tokens (ADR 0026)`,
        });
    if (h.idleNanos > 0n)
      pieces.push({
        rowIndex: null,
        consumer: null,
        kind: 'unallocated',
        method: 'none',
        rule: null,
        nanos: h.idleNanos,
        reason: `self-hosted ${name} idle ${h.idleHours} of ${h.hours} hours at $${h.deployment.hourlyCostUsd} an hour (no tokens)`,
      });
  }
  if (pieces.length === 0) return r;
  const added = sumNanos(pieces.map((p) => p.nanos));
  const idle = sumNanos(pieces.filter((p) => p.kind === 'unallocated').map((p) => p.nanos));
  return {
    ...r,
    pieces: [...r.pieces, ...pieces],
    ledgerOnlyNanos: r.ledgerOnlyNanos + added,
    totalNanos: r.totalNanos + added,
    unallocatedNanos: r.unallocatedNanos + idle,
  };
}

/** A row whose counted cost is what was billed (allocation reads EffectiveCost first). */
function billedRow(r: CostRow): CostRow {
  return { index: r.index, values: { ...r.values, EffectiveCost: r.values['BilledCost'] ?? null } };
}

/** Adds ledger usage of the days past the export, one direct piece per consumer, to an allocation. */
export function withLedgerFill(
  r: AllocationResult,
  fill: readonly ConsumerUsage[],
): { result: AllocationResult; filled: Nanos } {
  if (fill.length === 0) return { result: r, filled: 0n };
  const pieces = ledgerPieces(
    fill,
    fill.map((_, i) => i),
    'gateway usage after the last day of the cost export, at ledger effective rates',
  );
  const filled = sumNanos(pieces.map((p) => p.nanos));
  return {
    filled,
    result: {
      ...r,
      pieces: [...r.pieces, ...pieces],
      ledgerOnlyNanos: r.ledgerOnlyNanos + filled,
      totalNanos: r.totalNanos + filled,
    },
  };
}
