/**
 * Daily spend of one scope on the shared cost basis (ADR 0024): each calendar month is allocated exactly as
 * chargeback allocates it, then the scope's pieces are spread over the days they belong to, so a month's days add
 * up to the scope's chargeback line to the nano. Committed cost (rows billed by time or capacity: PTU hours,
 * reservations, fine-tuned hosting, search units) is kept apart from variable (token) cost for the forecast.
 */
import { monthWindow, parseUsd, splitNanos, type Nanos } from '../../core/index.js';
import type { CostStore, UsageAggregate } from '../../store/index.js';
import {
  allocatePeriod,
  consumerKey,
  isTokenRow,
  loadCostGroups,
  loadExportThrough,
  LEDGER_CURRENCY,
  ratesFor,
  type AllocationSettings,
  type BasisInfo,
  type Consumer,
  type CostBasis,
  type CostMetric,
  type CostRow,
  type PeriodAllocation,
  memoKey,
  type PeriodMemo,
} from '../allocate/index.js';

const DAY = 86_400_000;

/** Budget and forecast scopes. */
export type SpendScope = 'all' | 'team' | 'app' | 'cost_center' | 'key' | 'model';

/** Daily spend of a scope: the total and its committed part (epoch ms of the UTC day -> nanos). */
export interface DailyBasis {
  readonly total: Map<number, Nanos>;
  readonly committed: Map<number, Nanos>;
  /**
   * The part of `committed` that is a monthly commitment (rows naming a CommitmentDiscountId, or purchases): a
   * fixed amount per month, spread over its days when amortized, whatever the month's length.
   */
  readonly commitment: Map<number, Nanos>;
  /** The basis the series stands on (the last month's, which is where the export boundary lies). */
  readonly info: BasisInfo;
  /** Ledger-priced spend after the export's last day, inside [from, to). */
  readonly ledgerFilledNanos: Nanos;
}

/** Options: the basis and metric (defaults: export, amortized) and the allocation settings. */
export interface DailyBasisOptions {
  readonly settings: AllocationSettings;
  readonly basis?: CostBasis;
  readonly metric?: CostMetric;
  /** Share loaded months between calls with the same settings, basis and metric (e.g. every budget of a run). */
  readonly cache?: BasisCache;
}

/** Months already allocated and their daily profiles, reused across scopes (one `tally budgets status` run). */
export class BasisCache {
  readonly months = new Map<string, Promise<PeriodAllocation>>();
  readonly profiles = new Map<string, Promise<CostRow[]>>();
  readonly usage = new Map<string, Promise<UsageAggregate[]>>();
  through: Promise<Date | null> | undefined;
  /** `memo`: closed months shared with the serving process's other reports (ADR 0033). */
  constructor(readonly memo: PeriodMemo | null = null) {}
}

function cached<T>(m: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (!p) {
    p = load();
    m.set(key, p);
  }
  return p;
}

/** Through the shared memo when there is one (closed months only), else loaded for this run. */
function shared<T>(cache: BasisCache, period: string, key: string, load: () => Promise<T>): Promise<T> {
  return cache.memo ? cache.memo.get(period, key, load) : load();
}

/** Scopes the export can answer (its consumers); keys and models are gateway notions, read from the ledger. */
export function scopeOnExport(scope: SpendScope): boolean {
  return scope === 'all' || scope === 'team' || scope === 'app' || scope === 'cost_center';
}

/** Months ("YYYY-MM") overlapping [from, to). */
function monthsOverlapping(from: Date, to: Date): string[] {
  const out: string[] = [];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  while (Date.UTC(y, m, 1) < to.getTime()) {
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    m += 1;
    if (m === 12) {
      y += 1;
      m = 0;
    }
  }
  return out;
}

function inScope(scope: SpendScope, value: string | null): (c: Consumer | null) => boolean {
  switch (scope) {
    case 'team':
      return (c) => c?.team === value;
    case 'app':
      return (c) => c?.app === value;
    case 'cost_center':
      return (c) => c?.costCenter === value;
    case 'all':
    case 'key':
    case 'model':
      // 'all' counts every piece, unallocated included, as the chargeback total does (keys and models never
      // reach here: they are read from the ledger).
      return () => true;
  }
}

const add = (m: Map<number, Nanos>, day: number, n: Nanos) => {
  if (n !== 0n) m.set(day, (m.get(day) ?? 0n) + n);
};

/** A monthly commitment: its purchase, or usage a commitment discount (reservation) covers. */
function isCommitment(row: CostRow): boolean {
  return !!row.values['CommitmentDiscountId'] || row.values['ChargeCategory'] === 'Purchase';
}

// BillingCurrency too: a group converted to the reporting currency (ADR 0030) says that currency, while its
// daily profile is read as billed; the profile only weighs the days, so a currency's own amounts serve.
const AMOUNT_OR_PERIOD = new Set([
  'ChargePeriodStart',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingCurrency',
  '_rows',
]);

/** Identity of a grouped cost row without its period and amounts (a monthly group and its daily groups share it). */
function groupKey(r: CostRow): string {
  let key = groupKeys.get(r);
  if (key === undefined) {
    key = JSON.stringify(
      Object.entries(r.values)
        .filter(([k]) => !AMOUNT_OR_PERIOD.has(k))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    groupKeys.set(r, key);
  }
  return key;
}
// Rows are never changed once loaded, and the daily groups of a month are shared by every budget and report that
// reads it (BasisCache, the serve's months memo): their keys and profiles are built once per row list.
const groupKeys = new WeakMap<CostRow, string>();
type DayWeights = { day: number; weight: bigint }[];
const profiles = new WeakMap<readonly CostRow[], Map<string, Map<string, DayWeights>>>();

/** Each group's days and their amounts in `col` (the weights its monthly pieces are spread by). */
function dailyProfile(
  daily: readonly CostRow[],
  col: 'BilledCost' | 'EffectiveCost',
): Map<string, DayWeights> {
  const byCol = profiles.get(daily) ?? new Map<string, Map<string, DayWeights>>();
  profiles.set(daily, byCol);
  let profile = byCol.get(col);
  if (profile) return profile;
  profile = new Map<string, DayWeights>();
  for (const r of daily) {
    const key = groupKey(r);
    const list = profile.get(key) ?? [];
    const text = r.values[col] ?? r.values['BilledCost'] ?? '0';
    list.push({ day: Date.parse(r.values['ChargePeriodStart'] ?? ''), weight: parseUsd(text) });
    profile.set(key, list);
  }
  byCol.set(col, profile);
  return profile;
}

/**
 * Exact daily spend of a scope in [from, to) (whole UTC days) on the chosen basis. Each month in the range is
 * allocated whole (as chargeback does) and only its days inside [from, to) are kept.
 */
export async function dailySpendOnBasis(
  store: CostStore,
  scope: SpendScope,
  value: string | null,
  from: Date,
  to: Date,
  o: DailyBasisOptions,
): Promise<DailyBasis> {
  const basis: CostBasis = scopeOnExport(scope) ? (o.basis ?? 'export') : 'ledger';
  const metric = o.metric ?? 'amortized';
  if (scope === 'key' || scope === 'model')
    return ledgerDaily(store, scope, value, from, to, metric, o.settings);
  const cache = o.cache ?? new BasisCache();
  cache.through ??= loadExportThrough(store);
  const through = basis === 'export' ? await cache.through : null;
  const total = new Map<number, Nanos>();
  const committed = new Map<number, Nanos>();
  const commitment = new Map<number, Nanos>();
  let info: BasisInfo = { basis, metric, exportThrough: null, ledgerFrom: from.toISOString().slice(0, 10) };
  let filled = 0n;
  for (const period of monthsOverlapping(from, to)) {
    const pa = await cached(cache.months, `${basis}/${metric}/${period}`, () =>
      allocatePeriod(store, period, o.settings, { basis, metric, exportThrough: through, memo: cache.memo }),
    );
    info = pa.basis;
    const days = await spreadPeriod(store, pa, scope, value, o.settings, metric, cache);
    for (const [day, n] of days.total)
      if (day >= from.getTime() && day < to.getTime()) {
        add(total, day, n);
        if (day >= Date.parse(`${pa.basis.ledgerFrom}T00:00:00Z`)) filled += days.ledger.get(day) ?? 0n;
      }
    for (const [day, n] of days.committed)
      if (day >= from.getTime() && day < to.getTime()) add(committed, day, n);
    for (const [day, n] of days.commitment)
      if (day >= from.getTime() && day < to.getTime()) add(commitment, day, n);
  }
  return { total, committed, commitment, info, ledgerFilledNanos: filled };
}

/** One allocated month's pieces for the scope, spread over its days. */
async function spreadPeriod(
  store: CostStore,
  pa: PeriodAllocation,
  scope: SpendScope,
  value: string | null,
  settings: AllocationSettings,
  metric: CostMetric,
  cache: BasisCache,
): Promise<{
  total: Map<number, Nanos>;
  committed: Map<number, Nanos>;
  commitment: Map<number, Nanos>;
  ledger: Map<number, Nanos>;
}> {
  const w = monthWindow(pa.period);
  const keep = inScope(scope, value);
  const total = new Map<number, Nanos>();
  const committed = new Map<number, Nanos>();
  const commitment = new Map<number, Nanos>();
  const ledger = new Map<number, Nanos>();
  const perRow = new Map<number, Nanos>();
  const perConsumer = new Map<string, Nanos>();
  const consumers = new Map<string, Consumer>();
  for (const p of pa.result.pieces) {
    if (!keep(p.consumer)) continue;
    if (p.rowIndex !== null) perRow.set(p.rowIndex, (perRow.get(p.rowIndex) ?? 0n) + p.nanos);
    else if (p.consumer) {
      const k = consumerKey(p.consumer);
      consumers.set(k, p.consumer);
      perConsumer.set(k, (perConsumer.get(k) ?? 0n) + p.nanos);
    }
  }
  if (perRow.size > 0) {
    // The same groups per UTC day: a group's pieces follow its own daily amounts.
    const daily = await cached(cache.profiles, pa.period, () =>
      shared(cache, pa.period, `profile/${memoKey(settings.rules)}`, () =>
        loadCostGroups(store, w, settings.rules, { byDay: true }),
      ),
    );
    const profile = dailyProfile(daily, metric === 'billed' ? 'BilledCost' : 'EffectiveCost');
    for (const [idx, nanos] of perRow) {
      const row = pa.rows[idx]!;
      const days = profile.get(groupKey(row)) ?? [
        { day: Date.parse(row.values['ChargePeriodStart'] ?? ''), weight: 1n },
      ];
      const parts = splitNanos(
        nanos,
        days.map((d) => (d.weight < 0n ? -d.weight : d.weight)),
      );
      days.forEach((d, i) => {
        const day = Math.floor(d.day / DAY) * DAY;
        add(total, day, parts[i]!);
        if (!isTokenRow(row)) add(committed, day, parts[i]!);
        if (!isTokenRow(row) && isCommitment(row)) add(commitment, day, parts[i]!);
      });
    }
  }
  if (perConsumer.size > 0) {
    // Ledger pieces (usage no export row covers, and the days after the export) follow the consumer's daily cost.
    const cut = Date.parse(`${pa.basis.ledgerFrom}T00:00:00Z`);
    const fillBy = new Map<string, Nanos>();
    for (const u of pa.fillUsage)
      fillBy.set(consumerKey(u), (fillBy.get(consumerKey(u)) ?? 0n) + u.costNanos);
    const aggs = await cached(cache.usage, pa.period, () =>
      shared(cache, pa.period, 'usage/day,team,cost_center,app,environment', () =>
        store.aggregateUsage({
          from: w.from,
          to: w.to,
          by: ['day', 'team', 'cost_center', 'app', 'environment'],
        }),
      ),
    );
    const daysOf = new Map<string, { day: number; cost: Nanos }[]>();
    for (const a of aggs) {
      const k = consumerKey({
        team: a.dims['team'] ?? null,
        costCenter: a.dims['cost_center'] ?? null,
        app: a.dims['app'] ?? null,
        environment: a.dims['environment'] ?? null,
      });
      const list = daysOf.get(k) ?? [];
      list.push({ day: Date.parse(`${a.dims['day'] ?? ''}T00:00:00Z`), cost: a.costNanos });
      daysOf.set(k, list);
    }
    for (const [k, nanos] of perConsumer) {
      const days = daysOf.get(k) ?? [];
      const fill = fillBy.get(k) ?? 0n;
      const parts: [{ day: number; cost: Nanos }[], Nanos][] = [
        [days.filter((d) => d.day < cut), nanos - fill],
        [days.filter((d) => d.day >= cut), fill],
      ];
      for (const [list, amount] of parts) {
        if (amount === 0n) continue;
        const use =
          list.length > 0 ? list : [{ day: list === parts[1]![0] ? cut : w.from.getTime(), cost: 1n }];
        const split = splitNanos(
          amount,
          use.map((d) => d.cost),
        );
        use.forEach((d, i) => {
          add(total, d.day, split[i]!);
          if (d.day >= cut) add(ledger, d.day, split[i]!);
        });
      }
    }
  }
  return { total, committed, commitment, ledger };
}

/**
 * Keys and models: the ledger's own daily cost (the export knows neither a gateway key nor every model split), in
 * the reporting currency: as allocation converts ledger usage (ADR 0030), each month's USD cost inside [from, to)
 * is converted once at the rate in effect on the month's first day, then spread back over its days by their USD
 * cost, so a month's days add up to its converted total. A missing rate refuses (conflict, naming the pair).
 */
async function ledgerDaily(
  store: CostStore,
  scope: 'key' | 'model',
  value: string | null,
  from: Date,
  to: Date,
  metric: CostMetric,
  settings: AllocationSettings,
): Promise<DailyBasis> {
  const aggs = await store.aggregateUsage({
    from,
    to,
    by: ['day'],
    where: scope === 'key' ? { key_id: value ?? '' } : { model: value ?? '' },
  });
  const usd = new Map<number, Nanos>();
  for (const a of aggs) add(usd, Date.parse(`${a.dims['day'] ?? ''}T00:00:00Z`), a.costNanos);
  const currency = settings.currency ?? LEDGER_CURRENCY;
  const total = currency === LEDGER_CURRENCY ? usd : new Map<number, Nanos>();
  if (currency !== LEDGER_CURRENCY)
    for (const period of monthsOverlapping(from, to)) {
      const w = monthWindow(period);
      const days = [...usd].filter(([d]) => d >= w.from.getTime() && d < w.to.getTime());
      const sum = days.reduce((a, [, n]) => a + n, 0n);
      if (sum === 0n) continue;
      const rates = await ratesFor(store, w, settings.rates ?? []);
      const converted = rates.convert(sum, LEDGER_CURRENCY, currency, period + '-01').nanos;
      const parts = splitNanos(
        converted,
        days.map(([, n]) => (n < 0n ? -n : n)),
      );
      days.forEach(([d], i) => add(total, d, parts[i]!));
    }
  let filled = 0n;
  for (const n of total.values()) filled += n;
  return {
    total,
    committed: new Map(),
    commitment: new Map(),
    info: { basis: 'ledger', metric, exportThrough: null, ledgerFrom: from.toISOString().slice(0, 10) },
    ledgerFilledNanos: filled,
  };
}
