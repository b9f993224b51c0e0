/**
 * Deployment type: a provisioned (PTU) deployment that mostly serves non-production environments (dev, test,
 * staging: any key environment but prod/production). Reserved capacity buys latency guarantees production needs;
 * test traffic does not. The option: keep only production minutes on PTU (replayed against every allowed count,
 * as right-sizing does) and send the non-production tokens to pay-as-you-go. The saving is today's cost minus
 * the cheapest such option, at the organisation's rates, per 730-hour month.
 */
import { lookupPrice, lookupPtuSpec } from '../../catalog/index.js';
import { tokenCost } from '../../core/index.js';
import { currentPtu, ptuMonthList, ptuPricingInputs, SPILL_TYPE, type PtuOption } from './_ptu.js';
import { ptuCandidates, replayPtu } from './_ptu-replay.js';
import {
  loadKey,
  paygRateSql,
  ptuBillingSql,
  ptuDeploymentsSql,
  PROD_ENVIRONMENTS,
  type RecommendInputs,
} from './_queries.js';
import { atRate, exactUsd, MONTH_HOURS, pct, perMonth, round4, type Recommendation } from './_types.js';

/** Non-production share of input-equivalent tokens from which a PTU deployment is "mostly" non-prod. */
export const NON_PROD_SHARE = 0.5;

/** PTU deployments mostly used by non-production environments, priced with that traffic on pay-as-you-go. */
export function ptuNonProdRecommendations(
  inp: RecommendInputs,
  rightsized: ReadonlySet<string>,
): Recommendation[] {
  const out: Recommendation[] = [];
  for (const d of inp.ptuDeployments) {
    const key = loadKey(d.deployment, d.upstream);
    const np = inp.ptuNonProd.get(key);
    const series = inp.minuteLoads.get(key);
    const cur = currentPtu(
      inp.ptuBilling.filter((r) => r.account === d.upstream),
      inp.hours,
    );
    const shared = inp.ptuDeployments.filter((x) => x.upstream === d.upstream).length > 1;
    if (!np || !series || !cur || shared || cur.deployedPtu === 0) continue;
    const spec = lookupPtuSpec({
      model: d.model,
      deployment: cur.ptuKind,
      region: d.region ?? undefined,
      at: inp.window.from,
    });
    const spillType = SPILL_TYPE[cur.ptuKind];
    const payg = lookupPrice({
      model: d.model,
      deployment: spillType,
      provider: 'azure',
      at: inp.window.from,
    });
    if (!spec || !payg) continue;
    const eq = (m: { uncached: number; output: number }) => m.uncached + spec.outputRatio * m.output;
    const totalEq = series.minutes.reduce((s, m) => s + eq(m), 0);
    const nonProdEq = eq(np);
    const share = totalEq > 0 ? nonProdEq / totalEq : 0;
    if (share < NON_PROD_SHARE) continue;
    const rs = {
      inputTpmPerPtu: spec.inputTpmPerPtu,
      outputRatio: spec.outputRatio,
      inputNanosPerMTok: payg.inputNanosPerMTok,
      cachedNanosPerMTok: payg.cachedInputNanosPerMTok ?? payg.inputNanosPerMTok,
      outputNanosPerMTok: payg.outputNanosPerMTok,
    };
    const rate = inp.paygRate;
    const month = (x: bigint) => perMonth(x, inp.hours);
    const [atCurrent] = replayPtu(series.minutes, inp.hours * 60, rs, [cur.deployedPtu]);
    const prodPeak = np.prodMinutes.reduce((p, m) => Math.max(p, eq(m)), 0);
    const counts = ptuCandidates(
      spec.minPtu,
      spec.stepPtu,
      Math.min(cur.deployedPtu, Math.max(spec.minPtu, Math.ceil(prodPeak / spec.inputTpmPerPtu))),
    );
    const replay = replayPtu(np.prodMinutes, inp.hours * 60, rs, counts);
    const nonProdList =
      tokenCost(np.uncached, rs.inputNanosPerMTok) +
      tokenCost(np.cached, rs.cachedNanosPerMTok) +
      tokenCost(np.output, rs.outputNanosPerMTok);
    const moved = atRate(month(nonProdList), rate);
    const options: PtuOption[] = replay.flatMap((o) =>
      (o.ptu === 0 ? (['none'] as const) : (['hourly', '1-month', '1-year'] as const)).map((billing) => {
        const ptuList = ptuMonthList(o.ptu, billing, spec);
        const ptuEff = billing === 'hourly' ? atRate(ptuList, rate) : ptuList;
        const spill = month(o.spillListNanos);
        return {
          ptu: o.ptu,
          billing,
          listNanos: ptuList + spill + month(nonProdList),
          effectiveNanos: ptuEff + atRate(spill, rate) + moved,
        };
      }),
    );
    const hourlyList = ptuMonthList(Math.max(0, cur.deployedPtu - cur.reservedPtu), 'hourly', spec);
    const resList = ptuMonthList(cur.reservedPtu, cur.term, spec);
    const curSpill = month(atCurrent!.spillListNanos);
    const currentList = resList + hourlyList + curSpill;
    const currentEff = resList + atRate(hourlyList, rate) + atRate(curSpill, rate);
    const best = options.reduce((a, b) => (b.effectiveNanos < a.effectiveNanos ? b : a));
    const saving = currentEff - best.effectiveNanos;
    if (saving < 1_000_000_000n) continue; // under $1 a month is noise
    const rightsizeId = `ptu-rightsize:${d.upstream}/${d.deployment}`;
    const envs = np.environments.join(', ');
    out.push({
      id: `deployment-type:ptu-non-prod:${d.upstream}/${d.deployment}`,
      kind: 'deployment-type',
      title: `${d.deployment}: ${pct(share)} of its PTU load is non-production (${envs}); move it to pay-as-you-go ${spillType} and keep ${best.ptu === 0 ? 'no PTU' : `${best.ptu} PTU (${best.billing})`} for production`,
      scope: { account: d.upstream, deployment: d.deployment, model: d.model, environments: envs },
      monthlySavingsNanos: saving,
      monthlyListSavingsNanos: currentList - best.listNanos,
      confidence: inp.hours >= 24 * 28 ? 'high' : 'medium',
      risk: 'Non-production callers lose the PTU latency guarantee and share regional pay-as-you-go capacity (more variance, 429s at peaks); load tests that measure PTU latency must stay on PTU.',
      action: `Azure OpenAI account ${d.upstream}: create a ${spillType} deployment of ${d.model}, give the ${envs} keys a route to it (tally.yaml routes, or policy.restrictedDeployments: provisioned for prod only), then ${best.ptu === 0 ? `delete ${d.deployment}` : `set ${d.deployment} to ${best.ptu} PTU billed ${best.billing}`}.`,
      ...(rightsized.has(rightsizeId) ? { alternativeTo: rightsizeId } : {}),
      evidence: {
        sql: [
          ptuDeploymentsSql(inp.window),
          series.sql,
          np.prodSql,
          np.sql,
          ptuBillingSql(inp.window),
          paygRateSql(inp.window),
        ],
        inputs: {
          window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
          monthHours: Number(MONTH_HOURS),
          productionEnvironments: [...PROD_ENVIRONMENTS, '(none)'],
          ...ptuPricingInputs(cur, spec, spillType, rs, payg.source, rate),
        },
        figures: {
          nonProd: {
            environments: np.environments,
            requests: np.requests,
            uncachedInputTokens: np.uncached,
            cachedInputTokens: np.cached,
            outputTokens: np.output,
            inputEquivalentTokens: nonProdEq,
          },
          totalInputEquivalentTokens: totalEq,
          nonProdShare: round4(share),
          nonProdPaygListUsd: exactUsd(nonProdList),
          currentSpillListUsd: exactUsd(atCurrent!.spillListNanos),
          replay: replay.map((o) => ({
            ptu: o.ptu,
            utilisation: round4(o.utilisation),
            spillShare: round4(o.spillShare),
            spillListUsd: exactUsd(o.spillListNanos),
          })),
          current: { listUsd: exactUsd(currentList), effectiveUsd: exactUsd(currentEff) },
          proposed: {
            ptu: best.ptu,
            billing: best.billing,
            listUsd: exactUsd(best.listNanos),
            effectiveUsd: exactUsd(best.effectiveNanos),
          },
        },
        formula:
          'month(x) = x × 730 ÷ window hours (half-up); rate(x) = x × paygRate.effective ÷ paygRate.list (half-up); ' +
          'tokens(x) = uncached × inputPerMTokUsd ÷ 1M + cached × cachedPerMTokUsd ÷ 1M + output × outputPerMTokUsd ÷ 1M (each half-up); ' +
          'PTU list per month as ptu-rightsize; current = reserved + rate(hourly part) + rate(month(currentSpillListUsd)); ' +
          'option(N) = PTU (rate() only when hourly) + rate(month(production spill at N)) + rate(month(nonProdPaygListUsd)); ' +
          'saving = current.effective − proposed.effective',
      },
    });
  }
  return out;
}
