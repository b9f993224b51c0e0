/**
 * Test helper: recomputes a recommendation's monthly saving from nothing but its evidence (inputs and figures),
 * with the formulas the evidence states, in independent bigint arithmetic.
 */
import { parseUsd } from '../src/core/index.js';

/** The evidence of a recommendation, loosely typed (as a JSON reader would see it). */
// Evidence is read the way an outside checker reads the JSON: untyped.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface LooseEvidence {
  inputs: Record<string, any>;
  figures: Record<string, any>;
  sql: string[];
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A recommendation as printed or returned. */
export interface LooseRecommendation {
  kind: string;
  evidence: unknown;
}

const halfUp = (num: bigint, den: bigint) => num / den + ((num % den) * 2n >= den ? 1n : 0n);
export const usd = (v: unknown) => parseUsd(String(v));

/** The evidence of `r`. */
export const ev = (r: LooseRecommendation): LooseEvidence => r.evidence as LooseEvidence;

/** What both PTU reproductions price with: a month of the window, the pay-as-you-go rate, PTU at a billing. */
function ptuTerms(r: LooseRecommendation) {
  const { inputs, figures } = ev(r);
  const hours = BigInt(inputs['window'].hours);
  const month = (x: bigint) => halfUp(x * 730n, hours);
  const rate = (x: bigint) =>
    halfUp(x * usd(inputs['paygRate'].effectiveUsd), usd(inputs['paygRate'].listUsd));
  const p = inputs['ptu'];
  const ptuList = (n: number, billing: string) =>
    billing === 'hourly'
      ? BigInt(n) * usd(p.hourlyUsd) * 730n
      : billing === '1-month'
        ? BigInt(n) * usd(p.monthlyReservationUsd)
        : billing === '1-year'
          ? halfUp(BigInt(n) * usd(p.yearlyReservationUsd), 12n)
          : 0n;
  return { inputs, figures, month, rate, ptuList };
}

function reproducePtu(r: LooseRecommendation): bigint {
  const { inputs, figures, month, rate, ptuList } = ptuTerms(r);
  const spill = (n: number) => usd(figures['replay'].find((o: { ptu: number }) => o.ptu === n).spillListUsd);
  const cur = inputs['current'];
  const current =
    ptuList(cur.reservedPtu, cur.term) +
    rate(ptuList(cur.deployedPtu - cur.reservedPtu, 'hourly')) +
    rate(month(spill(cur.deployedPtu)));
  const prop = figures['proposed'];
  const ptuEff =
    prop.billing === 'hourly' ? rate(ptuList(prop.ptu, 'hourly')) : ptuList(prop.ptu, prop.billing);
  return current - (ptuEff + rate(month(spill(prop.ptu))));
}

/** PTU mostly used by non-production: today's cost minus production on N PTU plus non-production pay-as-you-go. */
function reproducePtuNonProd(r: LooseRecommendation): bigint {
  const { inputs, figures, month, rate, ptuList } = ptuTerms(r);
  // The non-production tokens at pay-as-you-go list, recomputed from the token counts and the prices.
  const np = figures['nonProd'];
  const payg = inputs['payg'];
  const nonProdList =
    halfUp(BigInt(np.uncachedInputTokens) * usd(payg.inputPerMTokUsd), 1_000_000n) +
    halfUp(BigInt(np.cachedInputTokens) * usd(payg.cachedPerMTokUsd), 1_000_000n) +
    halfUp(BigInt(np.outputTokens) * usd(payg.outputPerMTokUsd), 1_000_000n);
  const cur = inputs['current'];
  const current =
    ptuList(cur.reservedPtu, cur.term) +
    rate(ptuList(cur.deployedPtu - cur.reservedPtu, 'hourly')) +
    rate(month(usd(figures['currentSpillListUsd'])));
  const prop = figures['proposed'];
  const spill = usd(figures['replay'].find((o: { ptu: number }) => o.ptu === prop.ptu).spillListUsd);
  const ptuEff =
    prop.billing === 'hourly' ? rate(ptuList(prop.ptu, 'hourly')) : ptuList(prop.ptu, prop.billing);
  return current - (ptuEff + rate(month(spill)) + rate(month(nonProdList)));
}

function reproduceRepriced(r: LooseRecommendation): bigint {
  const { inputs, figures } = ev(r);
  const cost = (p: Record<string, string>) =>
    halfUp(BigInt(figures['uncachedInputTokens']) * usd(p['inputPerMTokUsd']), 1_000_000n) +
    halfUp(BigInt(figures['cachedInputTokens']) * usd(p['cachedPerMTokUsd']), 1_000_000n) +
    halfUp(BigInt(figures['outputTokens']) * usd(p['outputPerMTokUsd']), 1_000_000n);
  const list = halfUp(
    (cost(inputs['current']) - cost(inputs['proposed'])) * 730n,
    BigInt(inputs['window'].hours),
  );
  return halfUp(list * usd(inputs['paygRate'].effectiveUsd), usd(inputs['paygRate'].listUsd));
}

/** The saving the evidence implies, nanos. */
export function reproduce(r: LooseRecommendation): bigint {
  const { inputs, figures } = ev(r);
  if (r.kind === 'ptu-rightsize') return reproducePtu(r);
  if (r.kind === 'deployment-type' && figures['nonProdPaygListUsd'] !== undefined)
    return reproducePtuNonProd(r);
  if (r.kind === 'idle-deployment')
    return halfUp(usd(figures['billedEffectiveUsd']) * 730n, BigInt(inputs['window'].hours));
  if (r.kind === 'reservation') {
    const rate = (x: bigint) =>
      halfUp(x * usd(inputs['paygRate'].effectiveUsd), usd(inputs['paygRate'].listUsd));
    const n = BigInt(figures['hourlyPtu']);
    return rate(n * usd(inputs['hourlyUsd']) * 730n) - n * usd(inputs['monthlyReservationUsd']);
  }
  if (r.kind === 'prompt-caching') {
    const missed = BigInt(figures['missedCacheableTokens']);
    const list = halfUp(
      (halfUp(missed * usd(inputs['inputPerMTokUsd']), 1_000_000n) -
        halfUp(missed * usd(inputs['cachedPerMTokUsd']), 1_000_000n)) *
        730n,
      BigInt(inputs['window'].hours),
    );
    return halfUp(list * usd(inputs['paygRate'].effectiveUsd), usd(inputs['paygRate'].listUsd));
  }
  return reproduceRepriced(r);
}
