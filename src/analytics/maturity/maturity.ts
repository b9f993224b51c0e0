/**
 * Crawl-walk-run per FinOps-for-AI capability, scored from the organisation's own data. Thresholds are ours,
 * set where the FinOps Foundation's maturity wording changes hands ("some", "most", "nearly all"): 80% and 95%
 * for coverage-like shares, 50% and 90% for the gateway's share of token spend, and forecast error of 25% and
 * 10% (MAPE over the last 7 days, forecast from the 28 before).
 */
import type { PtuUtilisation } from '../recommend/index.js';
import type { MaturityFacts } from './_queries.js';

/** A maturity level. */
export type Level = 'crawl' | 'walk' | 'run';

/** One capability's score. */
export interface Capability {
  readonly name: string;
  readonly level: Level;
  readonly evidence: Record<string, unknown>;
  readonly next: string;
}

/** A budget's standing at the end of the window (from analytics/budgets). */
export interface BudgetStanding {
  readonly scope: string;
  readonly exceeded: boolean;
}

/** Everything scored. */
export interface MaturityInputs {
  readonly facts: MaturityFacts;
  readonly budgets: readonly BudgetStanding[];
  readonly ptu: readonly PtuUtilisation[];
  /** Daily spend (USD) of the last 35 days, oldest first, and a forecast of the last 7 from the 28 before. */
  readonly forecast: { readonly actual: readonly number[]; readonly predicted: readonly number[] } | null;
}

const share = (part: bigint, whole: bigint): number =>
  whole > 0n ? Number((part * 10_000n) / whole) / 10_000 : 0;
const by = (x: number, walk: number, run: number): Level => (x >= run ? 'run' : x >= walk ? 'walk' : 'crawl');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Scores every capability. */
export function assessMaturity(inp: MaturityInputs): Capability[] {
  const f = inp.facts;
  const out: Capability[] = [];
  const tagged = share(f.taggedCostNanos, f.ledgerCostNanos);
  out.push({
    name: 'tag and allocation coverage',
    level: by(tagged, 0.8, 0.95),
    evidence: { taggedCostShare: tagged, rule: 'share of ledger cost with both team and app' },
    next:
      tagged >= 0.95
        ? 'Keep new keys tagged: require team and app when keys are created.'
        : 'Issue keys per team and app (tally keys create --team --app) so every request is allocated.',
  });
  const budgetTeams = new Set(inp.budgets.map((b) => b.scope));
  const covered = f.teamsWithSpend.filter((t) => budgetTeams.has(`team=${t}`)).length;
  const coveredShare = f.teamsWithSpend.length ? covered / f.teamsWithSpend.length : 0;
  const exceeded = inp.budgets.filter((b) => b.exceeded).length;
  out.push({
    name: 'budgets defined and respected',
    level: inp.budgets.length === 0 ? 'crawl' : coveredShare >= 0.8 && exceeded === 0 ? 'run' : 'walk',
    evidence: {
      budgets: inp.budgets.length,
      teamsWithSpend: f.teamsWithSpend.length,
      teamsWithBudget: covered,
      exceeded,
    },
    next:
      inp.budgets.length === 0
        ? 'Set a monthly budget per team (tally budgets set).'
        : exceeded > 0
          ? `Review the ${exceeded} exceeded budget(s) with their owners; make the critical ones hard budgets at the gateway.`
          : 'Cover every team with spend and alert at 80% (tally budgets set --thresholds 80).',
  });
  out.push({
    name: 'anomaly response',
    level: f.incidentsTriaged === 0 ? 'crawl' : f.incidentsTriaged < 5 ? 'walk' : 'run',
    evidence: {
      incidentsTriaged: f.incidentsTriaged,
      rule: 'incidents moved past "new" (acknowledged, resolved...); response time needs incident open times, which the store does not keep',
    },
    next:
      f.incidentsTriaged === 0
        ? 'Route anomaly alerts to the owning team and acknowledge them in tally (or the dashboard).'
        : 'Track time to acknowledge per team and agree a target (e.g. same business day).',
  });
  const fc = inp.forecast;
  const mape = fc ? meanAbsPctError(fc.actual, fc.predicted) : null;
  out.push({
    name: 'forecast accuracy',
    level: mape === null ? 'crawl' : mape <= 0.1 ? 'run' : mape <= 0.25 ? 'walk' : 'crawl',
    evidence: {
      mape7d: mape === null ? null : Math.round(mape * 1e4) / 1e4,
      rule: 'MAPE of a 7-day forecast of daily spend from the 28 days before',
    },
    next:
      mape === null
        ? 'Keep at least 5 weeks of usage in the store so forecasts can be checked.'
        : 'Compare monthly forecasts with invoices and explain the gaps (tally forecast).',
  });
  const kpi = f.appsWithSpend ? f.appsWithKpis / f.appsWithSpend : 0;
  out.push({
    name: 'unit metrics defined',
    level: f.appsWithKpis === 0 ? 'crawl' : by(kpi, 0, 0.5),
    evidence: { appsWithKpis: f.appsWithKpis, appsWithSpend: f.appsWithSpend },
    next:
      f.appsWithKpis === 0
        ? 'Record one business outcome per app (tally unit-economics --kpi FILE.csv).'
        : 'Add outcomes for the remaining apps and review cost per outcome monthly.',
  });
  const util = inp.ptu.map((p) => p.utilisation);
  const avgUtil = util.length ? util.reduce((a, b) => a + b, 0) / util.length : null;
  const resUtil = inp.ptu.map((p) => p.reservationUtilisation).filter((x): x is number => x !== null);
  out.push({
    name: 'reservations and PTU utilisation',
    // Break-even of a 1-year reservation against pay-as-you-go is ~85% utilisation (domain notes §1.4).
    level:
      avgUtil === null
        ? 'run'
        : avgUtil >= 0.7 && resUtil.every((u) => u >= 0.95)
          ? 'run'
          : avgUtil >= 0.3
            ? 'walk'
            : 'crawl',
    evidence: {
      deployments: inp.ptu,
      averageUtilisation: avgUtil,
      note: avgUtil === null ? 'no provisioned deployments: nothing to under-use' : undefined,
    },
    next:
      avgUtil !== null && avgUtil < 0.7
        ? 'Right-size PTU with tally recommend (the replay shows the cheapest size and billing).'
        : 'Re-check PTU sizing and reservation renewals each month.',
  });
  const gw =
    f.exportTokenListNanos === null ? null : Math.min(1, share(f.ledgerListNanos, f.exportTokenListNanos));
  out.push({
    name: 'share of traffic through the gateway',
    level: gw === null ? 'crawl' : by(gw, 0.5, 0.9),
    evidence: {
      gatewayShareOfTokenList: gw,
      rule: 'ledger list cost ÷ list cost of token meters in the exports',
      exportsPresent: f.exportTokenListNanos !== null,
    },
    next:
      gw === null
        ? 'Ingest the Azure cost export (tally ingest) so the gateway share can be measured.'
        : gw < 0.9
          ? 'Find the callers that bypass the gateway (tally reconcile) and give them keys.'
          : 'Block direct keys on the Azure accounts so the gateway stays the only path.',
  });
  const keyShare = f.activeKeys ? f.keysWithLimits / f.activeKeys : 0;
  out.push({
    name: 'policy coverage',
    level: f.activeKeys === 0 ? 'crawl' : by(keyShare, 0.3, 0.8),
    evidence: {
      activeKeys: f.activeKeys,
      keysWithLimits: f.keysWithLimits,
      rule: 'active keys with allowed models, TPM, quota or budget',
    },
    next:
      f.activeKeys === 0
        ? 'Serve traffic through gateway keys so policies can apply.'
        : `Add model allow-lists or budgets to the ${f.activeKeys - f.keysWithLimits} keys without any (${pct(1 - keyShare)}).`,
  });
  return out;
}

function meanAbsPctError(actual: readonly number[], predicted: readonly number[]): number | null {
  let sum = 0;
  let n = 0;
  actual.forEach((a, i) => {
    const p = predicted[i];
    if (p === undefined || a <= 0) return;
    sum += Math.abs(a - p) / a;
    n++;
  });
  return n ? sum / n : null;
}
