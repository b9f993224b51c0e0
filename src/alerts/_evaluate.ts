/**
 * One evaluation pass (`tally alerts run`, `tally serve`): recent anomaly episodes and budget statuses become
 * alerts and go to the sinks. Budget state is also written to kv ("budgets", "state") so the gateway can
 * enforce hard budgets from it.
 */
import type { TallyConfig } from '../core/index.js';
import { scanStore, allBudgetStatus } from '../analytics/index.js';
import type { CostStore } from '../store/index.js';
import { anomalyAlert, budgetAlerts } from './_events.js';
import { dispatchAlerts, type DispatchResult } from './_dispatch.js';

/** Summary of one pass. */
export interface EvaluationSummary {
  readonly at: string;
  readonly anomalies: number;
  readonly budgets: number;
  readonly alerts: readonly DispatchResult[];
}

/** Evaluates anomalies over the last `lookbackDays` and every budget, then dispatches alerts. */
export async function evaluateAlerts(
  store: CostStore,
  config: TallyConfig,
  now: Date,
  opts: { dryRun?: boolean } = {},
): Promise<EvaluationSummary> {
  const a = config.alerts;
  const lookbackDays = a?.lookbackDays ?? 2;
  const from = new Date(Math.floor((now.getTime() - lookbackDays * 86_400_000) / 3_600_000) * 3_600_000);
  const anomalies = await scanStore(store, from, now, {
    threshold: config.anomalies?.threshold,
    minImpactUsd: config.anomalies?.minImpactUsd,
    minImpactPct: config.anomalies?.minImpactPct,
    grains: config.anomalies?.grains,
  });
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
  const events = [...budgets.flatMap(budgetAlerts), ...anomalies.map(anomalyAlert)];
  const alerts = await dispatchAlerts(store, a?.sinks ?? [], events, {
    now,
    quietMinutes: a?.quietMinutes ?? 60,
    dryRun: opts.dryRun,
  });
  return { at: now.toISOString(), anomalies: anomalies.length, budgets: budgets.length, alerts };
}
