/**
 * Recommendations ranked by monthly saving at effective rates. The total leaves out recommendations that are
 * alternatives to another (buying a reservation for PTU that right-sizing would remove), so it never counts
 * one saving twice.
 */
import type { AppliedRate, ExchangeRates, Nanos } from '../../core/index.js';
import { cachingRecommendations } from './_caching.js';
import { idlePtuRecommendations, idleRecommendations } from './_idle.js';
import { idleHostedRecommendations } from './_idle-hosted.js';
import { ptuRecommendations } from './_ptu.js';
import { ptuNonProdRecommendations } from './_ptu-nonprod.js';
import type { RecommendInputs } from './_queries.js';
import { centsUsd, type Recommendation } from './_types.js';
import { workloadRecommendations } from './_workload.js';

/** The ranked list and its total. */
export interface RecommendResult {
  readonly recommendations: readonly Recommendation[];
  readonly totalMonthlySavingsNanos: Nanos;
  readonly totalMonthlyListSavingsNanos: Nanos;
  /** Rules that could not run and why (no exports, no prefix hashes...). */
  readonly notes: readonly string[];
}

/** Every rule over the inputs, ranked (largest saving first, then id for a stable order). */
export function recommend(inp: RecommendInputs): RecommendResult {
  const ptu = ptuRecommendations(inp);
  const recs = [
    ...ptu,
    ...ptuNonProdRecommendations(inp, new Set(ptu.map((r) => r.id))),
    ...idleRecommendations(inp),
    ...idlePtuRecommendations(inp),
    ...idleHostedRecommendations(inp),
    ...workloadRecommendations(inp),
    ...cachingRecommendations(inp),
  ].sort((a, b) =>
    b.monthlySavingsNanos > a.monthlySavingsNanos
      ? 1
      : b.monthlySavingsNanos < a.monthlySavingsNanos
        ? -1
        : a.id.localeCompare(b.id),
  );
  const notes: string[] = [];
  if (inp.prefixes.length === 0)
    notes.push(
      'prompt-caching: no long prompt repeated its first 1,024 tokens within an hour in this window (the gateway fingerprints prompt prefixes unless gateway.promptFingerprints is false)',
    );
  if (inp.ptuBilling.length === 0 && inp.hosting.length === 0)
    notes.push(
      'no PTU or fine-tuned hosting rows in the cost exports for this window: reservation, PTU and idle-hosting rules need them',
    );
  return withTotals(recs, notes);
}

function withTotals(recs: readonly Recommendation[], notes: readonly string[]): RecommendResult {
  const counted = recs.filter((r) => r.alternativeTo === undefined);
  return {
    recommendations: recs,
    totalMonthlySavingsNanos: counted.reduce((s, r) => s + r.monthlySavingsNanos, 0n),
    totalMonthlyListSavingsNanos: counted.reduce((s, r) => s + r.monthlyListSavingsNanos, 0n),
    notes,
  };
}

/** Only the recommendations about the given teams' apps (a team-scoped caller), with totals to match. */
export function forTeams(res: RecommendResult, teams: readonly string[]): RecommendResult {
  const keep = res.recommendations.filter(
    (r) => r.scope['team'] !== undefined && teams.includes(r.scope['team']),
  );
  return withTotals(keep, res.notes);
}

/**
 * The savings in another currency (reporting.currency, ADR 0048): each recommendation's USD saving converted at
 * the rate on `day` (the period's last), the totals summed again from the converted amounts so the rows still
 * add up to them. The evidence stays in USD: its SQL and catalog prices reproduce the USD figures.
 */
export function inCurrency(
  res: RecommendResult,
  currency: string,
  rates: ExchangeRates,
  day: string,
): { result: RecommendResult; rate: AppliedRate | null } {
  if (currency === 'USD') return { result: res, rate: null };
  const { rate } = rates.convert(0n, 'USD', currency, day); // refuses at once, naming the pair, without a rate
  const to = (n: Nanos): Nanos => rates.convert(n, 'USD', currency, day).nanos;
  const recs = res.recommendations.map((r) => ({
    ...r,
    monthlySavingsNanos: to(r.monthlySavingsNanos),
    monthlyListSavingsNanos: to(r.monthlyListSavingsNanos),
  }));
  return { result: withTotals(recs, res.notes), rate };
}

/** The JSON document of `tally recommend --json` (the contract in issue 14). */
export function recommendDocument(
  period: string,
  res: RecommendResult,
  exchangeRates: readonly AppliedRate[] = [],
  currency = 'USD',
): Record<string, unknown> {
  return {
    period,
    // Savings weigh export charges against the catalog's USD prices, export rows billed in another currency
    // converted to USD at their day's rate (ADR 0045); the savings are then in the reporting currency (ADR
    // 0048), the `...Usd` names predating it. Evidence figures are always USD.
    currency,
    ...(currency === 'USD' ? {} : { evidenceCurrency: 'USD' }),
    exchangeRates,
    recommendations: res.recommendations.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      scope: r.scope,
      monthlySavingsUsd: centsUsd(r.monthlySavingsNanos),
      monthlyListSavingsUsd: centsUsd(r.monthlyListSavingsNanos),
      confidence: r.confidence,
      risk: r.risk,
      action: r.action,
      ...(r.caveat ? { caveat: r.caveat } : {}),
      ...(r.alternativeTo ? { alternativeTo: r.alternativeTo } : {}),
      evidence: r.evidence,
    })),
    totalMonthlySavingsUsd: centsUsd(res.totalMonthlySavingsNanos),
    totalMonthlyListSavingsUsd: centsUsd(res.totalMonthlyListSavingsNanos),
    notes: res.notes,
  };
}
