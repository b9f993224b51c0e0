/**
 * One evaluation pass (`tally alerts run`, `tally serve`): anomaly incidents are found over the recent window,
 * given their lifecycle, stored (so the dashboard and API read them without scanning) and alerted once each;
 * budget statuses become alerts too. Budget state is also written to kv ("budgets", "state") so the gateway
 * can enforce hard budgets from it.
 */
import type { TallyConfig } from '../core/index.js';
import { scanIncidents, scanSettings, allBudgetStatus } from '../analytics/index.js';
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
/** An empty store's first pass still covers this far back (the dashboard's 30-day view). */
const FIRST_PASS_DAYS = 35;
/** History older than this is not scanned by the passes (a bound on the first pass of a years-long store). */
const MAX_HISTORY_DAYS = 400;

/** Midnight UTC of the first day any usage or cost row is stored, or null on an empty store. */
async function firstDataDay(store: CostStore): Promise<number | null> {
  const [usage, stamps] = await Promise.all([store.usageExtent(), store.costMonthStamps()]);
  const firsts = [
    usage.first ? Math.floor(usage.first.getTime() / DAY) * DAY : null,
    stamps[0] ? Date.parse(`${stamps[0].month}-01T00:00:00Z`) : null,
  ].filter((t): t is number => t !== null && Number.isFinite(t));
  return firsts.length ? Math.min(...firsts) : null;
}

/** Options of a pass. */
export interface PassOptions {
  /** Write nothing, send nothing. */
  readonly dryRun?: boolean | undefined;
  /** Told once the pass has read everything and is about to write (until then, abandoning it loses nothing). */
  readonly beforeWrite?: (() => void) | undefined;
}

/**
 * Finds, stores and returns the incidents of one pass at `now`: the last `lookbackDays` (further back when
 * passes were missed). The first pass covers the whole stored history (ADR 0040), as does the first pass over a
 * store an older pass covered only in part, so any past window is answered from stored incidents instead of a
 * multi-second scan on the request; later passes add only the recent days. With `dryRun` nothing is written.
 */
export async function refreshIncidents(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: PassOptions = {},
) {
  const lookbackDays = config.alerts?.lookbackDays ?? 2;
  const index = await readIncidentIndex(store);
  const hour = (ms: number) => Math.floor(ms / 3_600_000) * 3_600_000;
  let fromMs = hour(now.getTime() - lookbackDays * DAY);
  const coveredTo = index.coveredTo ? Date.parse(index.coveredTo) : null;
  const coveredFrom = index.coveredFrom ? Date.parse(index.coveredFrom) : null;
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const first = await firstDataDay(store);
  const start = first === null ? null : Math.max(first, today - MAX_HISTORY_DAYS * DAY);
  if (coveredTo === null || coveredFrom === null)
    fromMs = Math.min(fromMs, start ?? today - FIRST_PASS_DAYS * DAY);
  else if (start !== null && start < coveredFrom) fromMs = Math.min(fromMs, start);
  else if (coveredTo < fromMs) fromMs = hour(coveredTo - DAY);
  const from = new Date(fromMs);
  const found = await scanIncidents(store, from, now, scanSettings(config));
  const known = await readStoredIncidents(store, new Date(fromMs - 30 * DAY));
  const views = await withLifecycle(store, found, known);
  opts.beforeWrite?.();
  if (!opts.dryRun) await recordIncidents(store, views, from, now, now);
  return { from, views };
}

/** Evaluates incidents and every budget, then dispatches alerts. */
export async function evaluateAlerts(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: PassOptions = {},
): Promise<EvaluationSummary> {
  const a = config.alerts;
  // Every read first (budgets, then the scan), so a pass stopped before it writes loses nothing.
  const budgets = await allBudgetStatus(store, config, now);
  const { views } = await refreshIncidents(store, config, now, opts);
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
