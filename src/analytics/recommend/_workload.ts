/**
 * Workload rules over the ledger's traffic per app and deployment: batch candidates (50% off Global Standard),
 * model right-sizing (a cheaper sibling for short-output or classification/extraction work) and deployment-type
 * premiums (Data Zone / Regional ≈1.10× Global where no data-residency tag asks for them). Each saving is the
 * same tokens priced twice from the catalog: exact nanos per line, scaled to a 730-hour month.
 */
import { lookupPrice, type TokenPrice } from '../../catalog/index.js';
import { tokenCost, type Nanos } from '../../core/index.js';
import { trafficSql, type RecommendInputs, type TrafficRow } from './_queries.js';
import {
  atRate,
  exactUsd,
  familyOf,
  pct,
  perMonth,
  round4,
  type Confidence,
  type Recommendation,
  type RecommendationKind,
} from './_types.js';

const PAYG_TYPES = new Set(['global-standard', 'data-zone', 'regional']);
const CHAT_OPS = new Set(['chat', 'responses', 'completions']);
/** A cheaper model that often does the same short work (the caller must check quality). */
const SMALLER: Record<string, string> = {
  'gpt-4o': 'gpt-4o-mini',
  'gpt-4.1': 'gpt-4.1-mini',
  'gpt-4.1-mini': 'gpt-4.1-nano',
  'gpt-4o-mini': 'gpt-4.1-nano',
  'gpt-5': 'gpt-5-mini',
  'gpt-5.1': 'gpt-5-mini',
  'gpt-5-mini': 'gpt-5-nano',
  o3: 'o4-mini',
};
const SHORT_WORK_TASKS = /^(classif|extract|rout|tag|label|detect|moderat)/i;
/** Average output at or under this many tokens looks like classification/extraction rather than writing. */
const SHORT_OUTPUT_TOKENS = 100;

/** Exact cost of a row's tokens at a price. */
export function tokensCost(r: Pick<TrafficRow, 'uncached' | 'cached' | 'output'>, p: TokenPrice): Nanos {
  return (
    tokenCost(r.uncached, p.inputNanosPerMTok) +
    tokenCost(r.cached, p.cachedInputNanosPerMTok ?? p.inputNanosPerMTok) +
    tokenCost(r.output, p.outputNanosPerMTok)
  );
}

const priceUsd = (p: TokenPrice) => ({
  model: p.model,
  deployment: p.deployment,
  inputPerMTokUsd: exactUsd(p.inputNanosPerMTok),
  cachedPerMTokUsd: exactUsd(p.cachedInputNanosPerMTok ?? p.inputNanosPerMTok),
  outputPerMTokUsd: exactUsd(p.outputNanosPerMTok),
  source: p.source,
});

function repriced(
  inp: RecommendInputs,
  r: TrafficRow,
  to: { model: string; deployment: string },
  base: {
    kind: RecommendationKind;
    id: string;
    title: string;
    confidence: Confidence;
    risk: string;
    action: string;
    caveat?: string;
    signals: Record<string, unknown>;
  },
): Recommendation | null {
  const at = inp.window.from;
  const from = lookupPrice({ model: r.model, deployment: r.deploymentType, provider: 'azure', at });
  const next = lookupPrice({ model: to.model, deployment: to.deployment, provider: 'azure', at });
  if (!from || !next) return null;
  const nowList = tokensCost(r, from);
  const thenList = tokensCost(r, next);
  const listSaving = perMonth(nowList - thenList, inp.hours);
  const saving = atRate(listSaving, inp.paygRate);
  if (saving < 1_000_000n) return null; // under a tenth of a cent a month
  const { signals, ...rest } = base;
  return {
    ...rest,
    scope: {
      app: r.app,
      ...(r.team ? { team: r.team } : {}),
      ...(r.environment ? { environment: r.environment } : {}),
      deployment: r.deployment,
      model: r.model,
    },
    monthlySavingsNanos: saving,
    monthlyListSavingsNanos: listSaving,
    evidence: {
      sql: [trafficSql(inp.window), inp.paygRate.sql],
      inputs: {
        window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
        current: priceUsd(from),
        proposed: priceUsd(next),
        paygRate: { effectiveUsd: exactUsd(inp.paygRate.effective), listUsd: exactUsd(inp.paygRate.list) },
      },
      figures: {
        requests: r.requests,
        uncachedInputTokens: r.uncached,
        cachedInputTokens: r.cached,
        outputTokens: r.output,
        currentListUsd: exactUsd(nowList),
        proposedListUsd: exactUsd(thenList),
        ...signals,
      },
      formula:
        'cost(p) = uncached × input + cached × cached + output × output per 1M tokens (half-up per line); ' +
        'list saving = (cost(current) − cost(proposed)) × 730 ÷ window hours (half-up); saving = list saving × paygRate.effective ÷ paygRate.list (half-up)',
    },
  };
}

/** Batch, model right-sizing and deployment-type recommendations. */
export function workloadRecommendations(inp: RecommendInputs): Recommendation[] {
  const out: Recommendation[] = [];
  for (const r of inp.traffic) {
    if (r.requests === 0 || !r.app) continue;
    const streamedShare = r.streamed / r.requests;
    const nightShare = r.night / r.requests;
    const avgOutput = r.output / r.requests;
    const key = `${r.app}/${r.deployment}`;
    if (PAYG_TYPES.has(r.deploymentType) && CHAT_OPS.has(r.operation) && streamedShare < 0.05) {
      const why = r.batchTag
        ? 'tagged batch'
        : nightShare >= 0.6
          ? 'runs at night'
          : r.endUsers === 0
            ? 'no end users'
            : null;
      const rec =
        why &&
        repriced(
          inp,
          r,
          { model: r.model, deployment: 'batch' },
          {
            kind: 'batch',
            id: `batch:${key}`,
            title: `${r.app} on ${r.deployment}: not interactive (${why}, ${pct(streamedShare)} streamed); the Batch API costs 50% less`,
            confidence: r.batchTag ? 'high' : 'medium',
            risk: 'Batch jobs complete within 24 hours, not seconds; callers must submit files and poll for results.',
            action: `Azure OpenAI: create a Global Batch deployment of ${r.model} and submit ${r.app}'s requests as a JSONL batch job (/openai/batches) instead of online calls.`,
            signals: {
              streamedShare: round4(streamedShare),
              nightShare: round4(nightShare),
              endUsers: r.endUsers,
              batchTag: r.batchTag,
            },
          },
        );
      if (rec) out.push(rec);
    }
    const family = familyOf(r.model);
    const smaller = family ? SMALLER[family] : undefined;
    const shortWork = (r.task !== null && SHORT_WORK_TASKS.test(r.task)) || avgOutput <= SHORT_OUTPUT_TOKENS;
    if (
      smaller &&
      shortWork &&
      (PAYG_TYPES.has(r.deploymentType) || r.deploymentType === 'batch') &&
      CHAT_OPS.has(r.operation)
    ) {
      const rec = repriced(
        inp,
        r,
        { model: smaller, deployment: r.deploymentType },
        {
          kind: 'model-rightsize',
          id: `model-rightsize:${key}`,
          title: `${r.app}: ${r.model} for ${r.task ? `${r.task} work` : `${avgOutput.toFixed(0)}-token answers`}; ${smaller} may do`,
          confidence: 'low',
          risk: 'A smaller model can be less accurate on this task.',
          caveat: `Quality must be checked before switching: replay a sample of ${r.app}'s prompts through the gateway to both ${r.model} and ${smaller} (a key allowed both models) and compare the answers against your evaluation set.`,
          action: `Azure OpenAI: deploy ${smaller} (${r.deploymentType}) next to ${r.deployment} and route ${r.app} to it once the evaluation passes.`,
          signals: { averageOutputTokens: round4(avgOutput), task: r.task },
        },
      );
      if (rec) out.push(rec);
    }
    if ((r.deploymentType === 'data-zone' || r.deploymentType === 'regional') && !r.residency) {
      const rec = repriced(
        inp,
        r,
        { model: r.model, deployment: 'global-standard' },
        {
          kind: 'deployment-type',
          id: `deployment-type:${key}`,
          title: `${r.app} on ${r.deployment}: ${r.deploymentType} premium with no data-residency tag`,
          confidence: 'medium',
          risk: 'Global deployments may process prompts in any Azure region; confirm the app has no residency requirement.',
          action: `Azure OpenAI: deploy ${r.model} as Global Standard and move ${r.app} to it, or tag its key data_residency=<zone> if the premium is required.`,
          signals: { residencyTag: null },
        },
      );
      if (rec) out.push(rec);
    }
  }
  return out;
}
