/** Scans the store (usage ledger and cost exports) for anomaly episodes at day and hour grain, and incidents. */
import { loadCostCells, loadUsageCells, type Grain, type SpendCell } from '../_series/index.js';
import type { ExchangeRate } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import type { TallyConfig } from '../../core/index.js';
import { LEDGER_CURRENCY, allocationSettings, ratesFor } from '../allocate/index.js';
import { scanSpendAnomalies, type SpendAnomaly } from './_scan.js';
import { capacityFamily, findIdleCapacity } from './_idle.js';
import { groupIncidents, type Incident, type IncidentOptions } from './_incidents.js';

/** Settings the store scan takes from tally.yaml `anomalies:`. */
export interface StoreScanSettings extends IncidentOptions {
  readonly threshold?: number | undefined;
  readonly minImpactUsd?: number | undefined;
  readonly minImpactPct?: number | undefined;
  readonly minImpactTokens?: number | undefined;
  readonly grains?: readonly Grain[] | undefined;
  /** The currency impacts are in (reporting.currency, default USD); cells in another are converted to it. */
  readonly currency?: string | undefined;
  /** Configured rates (reporting.ratesFile); the export's own rates are used too. */
  readonly rates?: readonly ExchangeRate[] | undefined;
  /** The organisation's holidays (reporting.holidays, UTC dates): a drop inside them is expected, not an incident. */
  readonly holidays?: readonly string[] | undefined;
}

/** Detector and incident settings from tally.yaml `anomalies:`. */
export function scanSettings(config: TallyConfig | undefined): StoreScanSettings {
  const a = config?.anomalies;
  return {
    threshold: a?.threshold,
    minImpactUsd: a?.minImpactUsd,
    minImpactPct: a?.minImpactPct,
    grains: a?.grains,
    currency: config?.reporting.currency,
    rates: allocationSettings(config).rates,
    holidays: config?.reporting.holidays,
    ...(a?.minIncidentUsd !== undefined ? { minIncidentUsd: a.minIncidentUsd } : {}),
  };
}

const DAY = 86_400_000;
// Warm-up history read before --from so the first reported points have a baseline: 16 weeks daily (idle runs
// are traced back as far), 5 weeks hourly. The history starts on a Monday (UTC), and seasons are anchored to
// the calendar, so a scan's results do not depend on the day it starts.
const LOOKBACK_MS: Record<Grain, number> = { day: 112 * DAY, hour: 35 * DAY };

/** The Monday 00:00 UTC on or before `ms`. */
function mondayOnOrBefore(ms: number): number {
  const d = Math.floor(ms / DAY);
  // Epoch day 0 (1970-01-01) was a Thursday: Monday is (d + 3) % 7 === 0.
  return (d - ((d + 3) % 7)) * DAY;
}

/** USD per token of capacity-billed (PTU) usage: the capacity cost over the ledger tokens it served. */
export function capacityUsdPerToken(cells: readonly SpendCell[]): number | null {
  let cost = 0n;
  let tokens = 0;
  for (const c of cells) {
    if (capacityFamily(c.dims['deploymentType']) !== 'provisioned') continue;
    if (c.source === 'costs') cost += c.costNanos;
    else if (c.costNanos === 0n) tokens += c.tokens;
  }
  return cost > 0n && tokens > 0 ? Number(cost) / 1e9 / tokens : null;
}

async function loadCells(store: CostStore, from: number, to: Date, grain: Grain, s: StoreScanSettings) {
  const histFrom = new Date(mondayOnOrBefore(from - LOOKBACK_MS[grain]));
  const currency = s.currency ?? LEDGER_CURRENCY;
  const usage = await loadUsageCells(store, histFrom, to, grain);
  const costs = await loadCostCells(store, histFrom, to, grain);
  const of = (c: SpendCell) =>
    c.source === 'usage' ? LEDGER_CURRENCY : (c.currency ?? LEDGER_CURRENCY).trim().toUpperCase();
  if (![...usage, ...costs].some((c) => c.costNanos !== 0n && of(c) !== currency))
    return { histFrom: histFrom.getTime(), usage, costs };
  // Never add two currencies (ADR 0041): export cells at their day's rate, ledger cells (USD) at the rate on
  // their month's first day, as allocation converts ledger usage. A missing rate refuses the scan.
  const rates = await ratesFor(store, { from: histFrom, to }, s.rates ?? []);
  const convert = (c: SpendCell): SpendCell => {
    const from = of(c);
    if (from === currency || c.costNanos === 0n) return c;
    const iso = new Date(c.bucket).toISOString();
    const day = c.source === 'usage' ? `${iso.slice(0, 7)}-01` : iso.slice(0, 10);
    return { ...c, currency, costNanos: rates.convert(c.costNanos, from, currency, day).nanos };
  };
  return { histFrom: histFrom.getTime(), usage: usage.map(convert), costs: costs.map(convert) };
}

/** Scans the store for anomaly episodes starting in [from, to). */
export async function scanStore(
  store: CostStore,
  from: Date,
  to: Date,
  s: StoreScanSettings = {},
): Promise<SpendAnomaly[]> {
  return (await scanStoreDetail(store, from, to, s)).episodes;
}

/** Scans the store for incidents starting in [from, to) (ongoing idle capacity that started earlier included). */
export async function scanIncidents(
  store: CostStore,
  from: Date,
  to: Date,
  s: StoreScanSettings = {},
): Promise<Incident[]> {
  const d = await scanStoreDetail(store, from, to, s);
  return groupIncidents(d.episodes, d.idle, s);
}

async function scanStoreDetail(store: CostStore, from: Date, to: Date, s: StoreScanSettings) {
  const episodes: SpendAnomaly[] = [];
  const grains = s.grains ?? (['day', 'hour'] as const);
  const day = await loadCells(store, from.getTime(), to, 'day', s);
  const rate = capacityUsdPerToken([...day.usage, ...day.costs]);
  for (const grain of grains) {
    const cells = grain === 'day' ? day : await loadCells(store, from.getTime(), to, grain, s);
    episodes.push(
      ...scanSpendAnomalies([...cells.usage, ...cells.costs], {
        from: from.getTime(),
        to: to.getTime(),
        grain,
        historyFrom: cells.histFrom,
        capacityUsdPerToken: rate,
        threshold: s.threshold,
        minImpactUsd: s.minImpactUsd,
        minImpactPct: s.minImpactPct,
        minImpactTokens: s.minImpactTokens,
      }),
    );
  }
  const idle = findIdleCapacity(day.costs, day.usage, { from: from.getTime(), to: to.getTime() });
  // A drop that lies wholly inside the organisation's holidays is the calendar, not an incident (ADR 0056).
  const quiet = new Set(s.holidays ?? []);
  const expected = (e: SpendAnomaly) => e.kind === 'drop' && daysOf(e).every((d) => quiet.has(d));
  const kept = quiet.size ? episodes.filter((e) => !expected(e)) : episodes;
  kept.sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
  return { episodes: kept, idle };
}

/** The UTC dates (YYYY-MM-DD) an episode touches, from its start to its exclusive end. */
function daysOf(e: SpendAnomaly): string[] {
  const days: string[] = [];
  const end = Date.parse(e.end);
  for (let t = Math.floor(Date.parse(e.timestamp) / DAY) * DAY; t < end; t += DAY)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
