/**
 * Idle fine-tuned deployments: Standard hosting bills $1.70 an hour per deployed fine-tune whether or not it
 * serves a request (fine-tuning cost doc, 2026-03-19), i.e. $1,241 a 730-hour month at list. A hosting meter
 * whose account shows no fine-tuned request for 7 days is idle (high confidence); fewer than 24 a day on
 * average is underused (medium: the base model at token prices, or the Developer tier, would do).
 */
import {
  fineTunedTrafficSql,
  hostingSql,
  idleSince,
  ptuBillingSql,
  ptuDeploymentsSql,
  ptuLastRequestSql,
  sinceKey,
  type RecommendInputs,
} from './_queries.js';
import { exactUsd, familyOf, perMonth, type Recommendation } from './_types.js';

const IDLE_DAYS = 7;
const IDLE_FORMULA =
  'saving = billedEffectiveUsd × 730 ÷ window hours (half-up); list likewise from billedListUsd';
const UNDERUSED_PER_DAY = 24;

/** Idle-deployment recommendations for fine-tuned hosting. */
export function idleRecommendations(inp: RecommendInputs): Recommendation[] {
  const out: Recommendation[] = [];
  for (const h of inp.hosting) {
    const family = familyOf(h.model);
    const ft = inp.fineTuned.filter(
      (f) => f.upstream === h.account && (family === null || familyOf(f.model) === family),
    );
    const last =
      ft
        .map((f) => f.lastRequest)
        .filter((x): x is string => x !== null)
        .sort()
        .at(-1) ?? null;
    const requests = ft.reduce((s, f) => s + f.requestsInWindow, 0);
    const idleDays = last === null ? Infinity : (inp.window.to.getTime() - Date.parse(last)) / 86_400_000;
    const perDay = requests / (inp.hours / 24);
    const idle = idleDays >= IDLE_DAYS;
    if (!idle && perDay >= UNDERUSED_PER_DAY) continue;
    const since = idleSince(last, inp.window);
    const accrued = inp.accruedSince.get(sinceKey(h.account, h.model, since));
    const monthEff = perMonth(h.effectiveNanos, inp.hours);
    const monthList = perMonth(h.listNanos, inp.hours);
    const deployments = ft.map((f) => f.deployment);
    const name = deployments.join(', ') || `fine-tuned ${h.model}`;
    out.push({
      id: `idle-deployment:${h.account}/${h.model}`,
      kind: 'idle-deployment',
      title: idle
        ? `${name}: fine-tuned hosting billed with no request since ${last ?? 'the window start'}`
        : `${name}: fine-tuned hosting for ${perDay.toFixed(1)} requests a day`,
      scope: {
        account: h.account,
        model: h.model,
        ...(deployments.length ? { deployment: deployments.join(',') } : {}),
      },
      monthlySavingsNanos: monthEff,
      monthlyListSavingsNanos: monthList,
      confidence: idle ? 'high' : 'medium',
      risk: idle
        ? 'Redeploying the fine-tune later takes minutes; the trained model itself is kept.'
        : 'Callers would move to the base model or a Developer-tier deployment; check quality on the evaluation set.',
      action: `Azure OpenAI account ${h.account}: delete deployment ${name} (az cognitiveservices account deployment delete); the fine-tuned model stays in the account and can be redeployed.`,
      evidence: {
        sql: [hostingSql(inp.window), fineTunedTrafficSql(inp.window), ...(accrued ? [accrued.sql] : [])],
        inputs: {
          window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
        },
        figures: {
          ...billedFigures(h.hours, h.listNanos, h.effectiveNanos, last, since, accrued),
          requestsInWindow: requests,
        },
        formula: IDLE_FORMULA,
      },
    });
  }
  return out;
}

/**
 * Provisioned capacity billed with no provisioned request in the window at all (so the replay has nothing to
 * size): the whole PTU bill is the saving, and the evidence gives what accrued since the last request.
 */
export function idlePtuRecommendations(inp: RecommendInputs): Recommendation[] {
  const out: Recommendation[] = [];
  const accounts = [
    ...new Set(inp.ptuBilling.filter((b) => b.chargeCategory === 'Usage').map((b) => b.account)),
  ];
  for (const account of accounts) {
    if (inp.ptuDeployments.some((d) => d.upstream === account)) continue;
    const rows = inp.ptuBilling.filter((b) => b.account === account && b.chargeCategory === 'Usage');
    const eff = rows.reduce((s, r) => s + r.effectiveNanos, 0n);
    const list = rows.reduce((s, r) => s + r.listNanos, 0n);
    const hours = rows.reduce((s, r) => s + r.hours, 0);
    const last = inp.ptuLastRequest.get(account) ?? null;
    const since = idleSince(last, inp.window);
    const accrued = inp.accruedSince.get(sinceKey(account, 'ptu', since));
    out.push({
      id: `idle-deployment:${account}/ptu`,
      kind: 'idle-deployment',
      title: `${account}: ${Math.round(hours / inp.hours)} PTU billed with no request through the gateway${last ? ` since ${last}` : ' in the window'}`,
      scope: { account },
      monthlySavingsNanos: perMonth(eff, inp.hours),
      monthlyListSavingsNanos: perMonth(list, inp.hours),
      // Traffic that bypasses the gateway would not show in the ledger: check Azure Monitor before deleting.
      confidence: 'medium',
      risk: "Callers that bypass the gateway are invisible here; check the deployment's Azure Monitor metrics first. Reserved PTU stay paid until the reservation ends.",
      action: `Azure OpenAI account ${account}: delete the idle provisioned deployment(s) and let their reservation lapse at renewal (or exchange it).`,
      evidence: {
        sql: [
          ptuBillingSql(inp.window),
          ptuDeploymentsSql(inp.window),
          ptuLastRequestSql(inp.window),
          ...(accrued ? [accrued.sql] : []),
        ],
        inputs: {
          window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
        },
        figures: {
          ...billedFigures(hours, list, eff, last, since, accrued),
        },
        formula: IDLE_FORMULA,
      },
    });
  }
  return out;
}

type Accrued = { hours: number; effectiveNanos: bigint; listNanos: bigint } | undefined;

function billedFigures(
  hours: number,
  list: bigint,
  eff: bigint,
  last: string | null,
  since: Date,
  accrued: Accrued,
) {
  return {
    billedHours: hours,
    billedListUsd: exactUsd(list),
    billedEffectiveUsd: exactUsd(eff),
    lastRequest: last,
    idleSince: since.toISOString(),
    accruedSinceLastRequest: accrued
      ? {
          hours: accrued.hours,
          effectiveUsd: exactUsd(accrued.effectiveNanos),
          listUsd: exactUsd(accrued.listNanos),
        }
      : null,
  };
}
