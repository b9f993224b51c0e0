/**
 * Idle self-hosted capacity (ADR 0026): a deployment declared with an hourly cost that served no token in at
 * least half of the hours it ran. Its idle hours cost the same as busy ones; scaling it to zero (or to a
 * schedule) outside the hours it is used saves them. Saving = idle hours' cost, per 730-hour month.
 */
import type { HostedCost } from '../hosting/index.js';
import type { RecommendInputs } from './_queries.js';
import { exactUsd, pct, perMonth, sqlText, sqlTime, type Recommendation } from './_types.js';

/** Idle share of running hours from which a self-hosted deployment is recommended for scaling down. */
export const IDLE_HOSTED_SHARE = 0.5;

/** SQL: the hours in which a self-hosted deployment served tokens, inside its billed span. */
export function activeHoursSql(h: HostedCost): string {
  return `SELECT count(DISTINCT date_trunc('hour', start_time)) AS active_hours, count(*) AS requests
FROM usage_events WHERE coalesce(upstream, '') = ${sqlText(h.deployment.upstream)} AND deployment = ${sqlText(h.deployment.deployment)}
  AND input_tokens + output_tokens > 0 AND start_time >= ${sqlTime(new Date(h.fromMs))} AND start_time < ${sqlTime(new Date(h.toMs))}`;
}

/** Idle-deployment recommendations for self-hosted deployments that sat idle most of their hours. */
export function idleHostedRecommendations(inp: RecommendInputs): Recommendation[] {
  const out: Recommendation[] = [];
  for (const h of inp.hostedCosts ?? []) {
    if (h.hours === 0 || h.idleHours / h.hours < IDLE_HOSTED_SHARE) continue;
    const saving = perMonth(h.idleNanos, inp.hours);
    if (saving < 1_000_000_000n) continue;
    const name = `${h.deployment.upstream}/${h.deployment.deployment}`;
    const share = h.idleHours / h.hours;
    out.push({
      id: `idle-deployment:self-hosted:${name}`,
      kind: 'idle-deployment',
      title: `${name} (self-hosted ${h.deployment.model}) served no token in ${h.idleHours} of ${h.hours} hours (${pct(share)} idle) at $${h.deployment.hourlyCostUsd} an hour`,
      scope: {
        upstream: h.deployment.upstream,
        deployment: h.deployment.deployment,
        model: h.deployment.model,
      },
      monthlySavingsNanos: saving,
      // Self-hosted cost has no negotiated rate: list = effective.
      monthlyListSavingsNanos: saving,
      confidence: share >= 0.9 ? 'high' : 'medium',
      risk: 'Scaling to zero adds a cold start (loading weights takes minutes) for the first request after an idle spell; keep a warm instance in the hours the deployment is used.',
      action: `Scale ${name} to zero outside the hours it serves (a schedule, or scale-to-zero on the serving platform), or stop it if nobody needs ${h.deployment.model}; then set hosting.until (or the new hours) in tally.yaml.`,
      evidence: {
        sql: [activeHoursSql(h)],
        inputs: {
          window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
          hourlyCostUsd: h.deployment.hourlyCostUsd,
          billedSpan: { from: new Date(h.fromMs).toISOString(), to: new Date(h.toMs).toISOString() },
        },
        figures: {
          hours: h.hours,
          activeHours: h.activeHours,
          idleHours: h.idleHours,
          billedEffectiveUsd: exactUsd(h.idleNanos),
          billedListUsd: exactUsd(h.idleNanos),
        },
        formula:
          'idle cost = idleHours × hourlyCostUsd (idleHours = hours − activeHours); saving = idle cost × 730 ÷ window hours (half-up)',
      },
    });
  }
  return out;
}
