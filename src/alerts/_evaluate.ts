/**
 * One evaluation pass (`tally alerts run`, `tally serve`): anomaly incidents are found over the recent window,
 * given their lifecycle, stored (so the dashboard and API read them without scanning) and alerted once each;
 * budget statuses become alerts too. Budget state is also written to kv ("budgets", "state") so the gateway
 * can enforce hard budgets from it.
 */
import type { TallyConfig } from '../core/index.js';
import {
  allocationSettings,
  scanIncidents,
  allBudgetStatus,
  type StoreScanSettings,
} from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import { budgetAlerts, incidentAlert } from './_events.js';
import { dispatchAlerts, type DispatchResult } from './_dispatch.js';
import { readIncidentIndex, readStoredIncidents, recordIncidents, withLifecycle } from './_incidents.js';

/** Summary of one pass. */
export interface EvaluationSummary {
  readonly at: string;
  /** Incidents found in the scanned window. */
  readonly anomalies: number;
  readonly budgets: number;
  readonly alerts: readonly DispatchResult[];
}

const DAY = 86_400_000;
/** The first pass scans this far back so the dashboard's 30-day view is covered from the start. */
const FIRST_PASS_DAYS = 35;

/** Detector and incident settings from tally.yaml `anomalies:`. */
export function scanSettings(config: TallyConfig): StoreScanSettings {
  const a = config.anomalies;
  return {
    threshold: a?.threshold,
    minImpactUsd: a?.minImpactUsd,
    minImpactPct: a?.minImpactPct,
    grains: a?.grains,
    currency: config.reporting.currency,
    rates: allocationSettings(config).rates,
    ...(a?.minIncidentUsd !== undefined ? { minIncidentUsd: a.minIncidentUsd } : {}),
  };
}

/**
 * Finds, stores and returns the incidents of one pass at `now`: the last `lookbackDays` (further back when
 * passes were missed, 35 days on the first pass). With `dryRun` nothing is written.
 */
export async function refreshIncidents(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: { dryRun?: boolean } = {},
) {
  const lookbackDays = config.alerts?.lookbackDays ?? 2;
  const index = await readIncidentIndex(store);
  const hour = (ms: number) => Math.floor(ms / 3_600_000) * 3_600_000;
  let fromMs = hour(now.getTime() - lookbackDays * DAY);
  const coveredTo = index.coveredTo ? Date.parse(index.coveredTo) : null;
  if (coveredTo === null)
    fromMs = Math.min(fromMs, Math.floor(now.getTime() / DAY) * DAY - FIRST_PASS_DAYS * DAY);
  else if (coveredTo < fromMs) fromMs = hour(coveredTo - DAY);
  const from = new Date(fromMs);
  const found = await scanIncidents(store, from, now, scanSettings(config));
  const known = await readStoredIncidents(store, new Date(fromMs - 30 * DAY));
  const views = await withLifecycle(store, found, known);
  if (!opts.dryRun) await recordIncidents(store, views, from, now, now);
  return { from, views };
}

/** Evaluates incidents and every budget, then dispatches alerts. */
export async function evaluateAlerts(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: { dryRun?: boolean } = {},
): Promise<EvaluationSummary> {
  const a = config.alerts;
  const { views } = await refreshIncidents(store, config, now, opts);
  const budgets = await allBudgetStatus(store, config, now);
  if (!opts.dryRun)
    await store.setMeta('budgets', 'state', {
      at: now.toISOString(),
      budgets: budgets.map((b) => ({
        id: b.id,
        scope: b.scope,
        periodStart: b.periodStart,
        periodEnd: b.periodEnd,
        amountUsd: b.amountUsd,
        spentUsd: b.spentUsd,
        hard: b.hard,
        exceeded: b.exceeded,
      })),
    });
  // Only open incidents that are recent (detected within the lookback, or still ongoing) page anyone: the
  // first pass stores 35 days of incidents but does not page about old ones.
  const recent = now.getTime() - (a?.lookbackDays ?? 2) * DAY;
  const alertable = views.filter(
    (v) => v.state === 'new' && (v.ongoing || Date.parse(v.detectedAt) >= recent),
  );
  // Impacts are in reporting.currency: the scan converted every cell to it (ADR 0041).
  const events = [
    ...budgets.flatMap(budgetAlerts),
    ...alertable.map((i) => incidentAlert(i, config.reporting.currency)),
  ];
  const alerts = await dispatchAlerts(store, a?.sinks ?? [], events, {
    now,
    quietMinutes: a?.quietMinutes ?? 60,
    dryRun: opts.dryRun,
  });
  return { at: now.toISOString(), anomalies: views.length, budgets: budgets.length, alerts };
}
