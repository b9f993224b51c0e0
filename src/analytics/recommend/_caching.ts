/**
 * Prompt-caching opportunities. The gateway records a salted fingerprint of each long prompt's first 1,024
 * tokens (the unit Azure OpenAI and OpenAI cache); a fingerprint repeated within the same hour, with few cached
 * tokens reported, is a prefix the provider could have served from its cache (caches live minutes to an hour,
 * so only repeats within an hour count). The saving is the missed tokens priced at the uncached rate minus the
 * cached rate, from the catalog, at the exports' negotiated pay-as-you-go rate.
 */
import { lookupPrice } from '../../catalog/index.js';
import { tokenCost } from '../../core/index.js';
import type { PrefixRow, RecommendInputs } from './_queries.js';
import { atRate, exactUsd, pct, perMonth, type Recommendation } from './_types.js';

/** The tokens one cached prefix covers (the minimum a provider caches). */
const PREFIX_TOKENS = 1024;
const PAYG_TYPES = new Set(['global-standard', 'data-zone', 'regional']);

/** One recommendation per app and deployment whose long prompts repeat a prefix the cache does not serve. */
export function cachingRecommendations(inp: RecommendInputs): Recommendation[] {
  const groups = new Map<string, PrefixRow[]>();
  for (const r of inp.prefixes) {
    if (!r.app || !PAYG_TYPES.has(r.deploymentType)) continue;
    const k = `${r.app}/${r.deployment}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: Recommendation[] = [];
  for (const [key, rows] of groups) {
    const first = rows[0]!;
    const price = lookupPrice({
      model: first.model,
      deployment: first.deploymentType,
      provider: 'azure',
      at: inp.window.from,
    });
    const cachedPrice = price?.cachedInputNanosPerMTok;
    if (!price || cachedPrice === undefined || cachedPrice === null || cachedPrice >= price.inputNanosPerMTok)
      continue;
    const repeats = rows.reduce((s, r) => s + r.repeats, 0);
    const cachedNow = rows.reduce((s, r) => s + r.cached, 0);
    const missed = Math.max(0, repeats * PREFIX_TOKENS - cachedNow);
    if (missed === 0) continue;
    const listSaving = perMonth(
      tokenCost(missed, price.inputNanosPerMTok) - tokenCost(missed, cachedPrice),
      inp.hours,
    );
    const saving = atRate(listSaving, inp.paygRate);
    if (saving < 1_000_000n) continue;
    const requests = rows.reduce((s, r) => s + r.requests, 0);
    out.push({
      id: `prompt-caching:${key}`,
      kind: 'prompt-caching',
      title: `${first.app} on ${first.deployment}: ${repeats.toLocaleString('en-US')} long prompts repeat a 1,024-token prefix within the hour, but only ${pct(Math.min(1, cachedNow / Math.max(1, repeats * PREFIX_TOKENS)))} of it is served from the prompt cache`,
      scope: {
        app: first.app!,
        ...(first.team ? { team: first.team } : {}),
        deployment: first.deployment,
        model: first.model,
      },
      monthlySavingsNanos: saving,
      monthlyListSavingsNanos: listSaving,
      confidence: 'medium',
      risk: 'None to quality: cached tokens are the same tokens. The provider caches only exact prefixes for minutes to an hour, so the saving assumes the repeats keep their rhythm.',
      action: `Put the unchanging part of ${first.app}'s prompts first (system prompt, tool definitions, examples) and anything that varies (dates, user data, request ids) after it, so Azure OpenAI's automatic prompt caching matches the first 1,024+ tokens; check cached_tokens in the usage it reports.`,
      evidence: {
        sql: [inp.prefixSql, inp.paygRate.sql],
        inputs: {
          window: { from: inp.window.from.toISOString(), to: inp.window.to.toISOString(), hours: inp.hours },
          prefixTokens: PREFIX_TOKENS,
          inputPerMTokUsd: exactUsd(price.inputNanosPerMTok),
          cachedPerMTokUsd: exactUsd(cachedPrice),
          paygRate: { effectiveUsd: exactUsd(inp.paygRate.effective), listUsd: exactUsd(inp.paygRate.list) },
        },
        figures: {
          prefixes: rows.length,
          requests,
          repeatsWithinHour: repeats,
          cachedInputTokens: cachedNow,
          missedCacheableTokens: missed,
        },
        formula:
          'missed = max(0, repeats × 1,024 − cached tokens); list saving = (missed × input − missed × cached) per 1M tokens (half-up per line) × 730 ÷ window hours (half-up); saving = list saving × paygRate.effective ÷ paygRate.list (half-up)',
      },
    });
  }
  return out;
}
