/**
 * Watches every scope of spend cells (all, and each value of each dimension, per source) at one grain,
 * merges consecutive flagged buckets into episodes, and explains each with a root cause.
 */
import { nanosToUsd } from '../../core/index.js';
import { GRAIN_MS, type CellSource, type Grain, type SpendCell } from '../_series/index.js';
import { detectAnomalies, type AnomalyKind, type PointScore } from './_detect.js';
import { attributeChange, decomposeChange, type ChangeDecomposition, type RootCause } from './_root-cause.js';
import { explainByLeaves } from './_explain.js';

/** Scan settings. */
export interface ScanOptions {
  /** Report episodes starting in [from, to); cells before `from` are history only. */
  readonly from: number;
  readonly to: number;
  readonly grain: Grain;
  readonly threshold?: number;
  readonly minImpactUsd?: number;
  readonly minImpactPct?: number;
  /** Which dimensions get their own scopes (default: all dimensions present). */
  readonly dimensions?: readonly string[];
  /**
   * Start of the series (epoch ms, a bucket boundary): cells before it are ignored. Seasons are anchored to the
   * calendar (epoch day or hour), so with a fixed warm-up the result does not depend on where a scan starts.
   */
  readonly historyFrom?: number;
  /**
   * USD per token of capacity-billed usage (PTU: the capacity cost over the tokens it served). Token changes of
   * scopes with tokens but no priced spend are priced at this share; without it they are gated by
   * `minImpactTokens` per bucket.
   */
  readonly capacityUsdPerToken?: number | null;
  readonly minImpactTokens?: number;
}

/** One anomaly episode at one scope. */
export interface SpendAnomaly {
  readonly id: string;
  readonly source: CellSource;
  readonly scope: string;
  readonly grain: Grain;
  /** Which series flagged it: cost (USD) or tokens (traffic). */
  readonly metric: 'cost' | 'tokens';
  readonly kind: AnomalyKind | 'idle';
  /** Episode start and end (ISO). */
  readonly timestamp: string;
  readonly end: string;
  readonly points: number;
  readonly actualUsd: number;
  readonly expectedUsd: number;
  readonly impactUsd: number;
  readonly impactPct: number | null;
  readonly score: number;
  readonly actualTokens: number;
  readonly expectedTokens: number;
  readonly rootCause: RootCause[];
  readonly decomposition: ChangeDecomposition;
  /** Dimension values shared by the leaves (rows) that explain the change: the most specific scope. */
  readonly explainedBy: Readonly<Record<string, string>>;
  /** Keys of those leaves. */
  readonly leaves: readonly string[];
  /** Days of data the scope had before the episode (warm-up). */
  readonly historyDays: number;
  /** How the dollar figures were priced: spend, capacity share of token counts, or not at all (tokens). */
  readonly pricing: 'spend' | 'capacity-share' | 'none';
}

const usd = (n: bigint) => nanosToUsd(n);

/** Finds anomaly episodes in every scope of the cells. */
export function scanSpendAnomalies(cells: readonly SpendCell[], opts: ScanOptions): SpendAnomaly[] {
  const step = GRAIN_MS[opts.grain];
  const out: SpendAnomaly[] = [];
  for (const source of ['usage', 'costs'] as const) {
    const mine = cells.filter((c) => c.source === source);
    if (mine.length === 0) continue;
    // Daily cost exports put a whole day in the midnight bucket: an hourly scan of them would see 23 empty hours.
    if (opts.grain === 'hour' && mine.every((c) => c.bucket % GRAIN_MS.day === 0)) continue;
    let first = Infinity;
    let last = -Infinity;
    for (const c of mine) {
      if (c.bucket < first) first = c.bucket;
      if (c.bucket > last) last = c.bucket;
    }
    // The series starts at the warm-up start, or where data starts when later (leading empty weeks would be
    // learned as the normal level).
    if (opts.historyFrom !== undefined) first = Math.max(first, Math.floor(opts.historyFrom / step) * step);
    // Calendar phase of the first bucket: epoch days (1970-01-01 was a Thursday) and epoch hours.
    const phase0 = Math.floor(first / step);
    // Only complete buckets with data behind them are scored: the bucket containing `to` is partial, buckets
    // after the last data are not known yet (not zero), and a cost export's newest day is usually still filling
    // in (exports land 12-24 h late), so it waits for the next export.
    const lastScored = source === 'costs' ? last - step : last;
    const n = Math.min(Math.floor((opts.to - first) / step), Math.floor((lastScored - first) / step) + 1);
    if (n <= 0) continue;
    // Hourly AI traffic has a weekly cycle (quiet weekends) on top of the daily one: use the hour-of-week
    // season once two weeks of history exist, else the hour of day.
    const season = opts.grain === 'day' ? 7 : n >= 2 * 168 ? 168 : 24;
    const dimNames = opts.dimensions ?? [...new Set(mine.flatMap((c) => Object.keys(c.dims)))];
    const scopes: { scope: string; dim: string | null; cells: SpendCell[] }[] = [
      { scope: 'all', dim: null, cells: mine },
    ];
    for (const d of dimNames) {
      const byValue = new Map<string, SpendCell[]>();
      for (const c of mine) {
        const v = c.dims[d];
        if (!v) continue;
        const list = byValue.get(v);
        if (list) list.push(c);
        else byValue.set(v, [c]);
      }
      for (const [v, cs] of byValue) scopes.push({ scope: `${d}=${v}`, dim: d, cells: cs });
    }
    for (const sc of scopes) {
      let nanos = new Array<bigint>(n).fill(0n);
      const tokens = new Array<number>(n).fill(0);
      let firstData = -1;
      for (const c of sc.cells) {
        const i = Math.floor((c.bucket - first) / step);
        if (i >= 0 && i < n) {
          nanos[i] = nanos[i]! + c.costNanos;
          tokens[i] = tokens[i]! + c.tokens;
          if (firstData < 0 || i < firstData) firstData = i;
        }
      }
      // A scope with tokens but no priced spend (provisioned/PTU capacity, self-hosted models) is invisible to
      // the cost check: its tokens are priced at their share of the capacity cost when that is known.
      const unpriced = nanos.every((v) => v === 0n) && tokens.some((t) => t > 0);
      const rate = unpriced ? (opts.capacityUsdPerToken ?? null) : null;
      if (rate !== null && rate > 0) nanos = tokens.map((t) => BigInt(Math.round(t * rate * 1e9)));
      const pricing: SpendAnomaly['pricing'] = !unpriced ? 'spend' : rate ? 'capacity-share' : 'none';
      const scores = detectAnomalies(nanos.map(usd), {
        season,
        phase0,
        threshold: opts.threshold,
        minImpactAbs: opts.minImpactUsd ?? 1,
        // Token counts priced at a capacity share move with traffic, not with a bill: as for raw token counts,
        // a bucket must move by half its expectation to count.
        minImpactPct:
          pricing === 'capacity-share' ? Math.max(opts.minImpactPct ?? 0, 0.5) : opts.minImpactPct,
      });
      // Tokens too: traffic that is lost or stops (an idle deployment) can be cheap in dollars but large in
      // tokens. For priced scopes only daily drops of 50%+ that the cost check did not already report are kept
      // (hourly token counts of small scopes are too noisy to page on, and token rises show up in cost).
      // Unpriced scopes with no capacity price: every token anomaly counts, rises included, if it moves at
      // least `minImpactTokens` (so a small scope's noise never shows as "$0.00 vs $0.00").
      const tokenScores = detectAnomalies(tokens, {
        season,
        phase0,
        threshold: opts.threshold,
        minImpactPct: 0.5,
        minImpactAbs: pricing === 'none' ? (opts.minImpactTokens ?? 1_000_000) : 0,
      });
      const ctx: EpisodeContext = {
        source,
        sc,
        scores,
        tokenScores,
        nanos,
        tokens,
        first,
        step,
        season,
        grain: opts.grain,
        dimNames,
        pricing,
        firstData,
      };
      for (const metric of ['cost', 'tokens'] as const) {
        let run: number[] = [];
        const flush = () => {
          if (run.length) out.push(episode(ctx, run, metric));
          run = [];
        };
        for (const p of metric === 'cost' ? scores : tokenScores) {
          const at = first + p.index * step;
          if (!p.anomaly || at < opts.from) continue;
          // Priced scopes are judged by dollars; token counts only where nothing prices them. (Traffic that
          // stops on billed capacity is found by the idle-capacity check.)
          if (metric === 'tokens' && pricing !== 'none') continue;
          // Daily episodes bridge a quiet weekend (gap of 3 days); hourly ones a gap of 2 hours.
          if (run.length && p.index - run[run.length - 1]! > (opts.grain === 'day' ? 3 : 2)) flush();
          run.push(p.index);
        }
        flush();
      }
    }
  }
  return out.sort((a, b) => Math.abs(b.impactUsd) - Math.abs(a.impactUsd));
}

interface EpisodeContext {
  readonly source: CellSource;
  readonly sc: { scope: string; dim: string | null; cells: SpendCell[] };
  readonly scores: PointScore[];
  readonly tokenScores: PointScore[];
  readonly nanos: readonly bigint[];
  readonly tokens: readonly number[];
  readonly first: number;
  readonly step: number;
  readonly season: number;
  readonly grain: Grain;
  readonly dimNames: readonly string[];
  readonly pricing: SpendAnomaly['pricing'];
  readonly firstData: number;
}

function episode(ctx: EpisodeContext, run: readonly number[], metric: 'cost' | 'tokens'): SpendAnomaly {
  const { source, sc, scores, tokenScores, nanos, tokens, first, step, season, grain, dimNames, pricing } =
    ctx;
  const lead = metric === 'cost' ? scores : tokenScores;
  const idx = new Set(run);
  let actualN = 0n;
  let expected = 0;
  let score = 0;
  for (const i of run) {
    actualN += nanos[i]!;
    expected += scores[i]!.expected;
    if (Math.abs(lead[i]!.score) > Math.abs(score)) score = lead[i]!.score;
  }
  const actual = usd(actualN);
  // Element expectations: the scope's expectation split by each value's share of the season before the episode.
  const start = run[0]!;
  const baseIdx = new Set(Array.from({ length: season }, (_, k) => start - season + k).filter((i) => i >= 0));
  const elements: { dimension: string; value: string; actual: number; expected: number }[] = [];
  for (const d of dimNames) {
    if (d === sc.dim) continue;
    const act = new Map<string, bigint>();
    const base = new Map<string, bigint>();
    let baseTotal = 0n;
    for (const c of sc.cells) {
      const i = Math.floor((c.bucket - first) / step);
      const v = c.dims[d] ?? '(none)';
      if (idx.has(i)) act.set(v, (act.get(v) ?? 0n) + c.costNanos);
      if (baseIdx.has(i)) {
        base.set(v, (base.get(v) ?? 0n) + c.costNanos);
        baseTotal += c.costNanos;
      }
    }
    const values = new Set([...act.keys(), ...base.keys()]);
    if (values.size < 1 || (values.size === 1 && values.has('(none)'))) continue;
    for (const v of values) {
      const share = baseTotal > 0n ? Number(base.get(v) ?? 0n) / Number(baseTotal) : 0;
      elements.push({ dimension: d, value: v, actual: usd(act.get(v) ?? 0n), expected: expected * share });
    }
  }
  const modelSpend = (set: Set<number>, scaleTo: number) => {
    const m = new Map<string, { cost: bigint; tokens: number }>();
    for (const c of sc.cells) {
      if (!set.has(Math.floor((c.bucket - first) / step))) continue;
      const k = c.dims['model'] ?? '(none)';
      const e = m.get(k) ?? { cost: 0n, tokens: 0 };
      m.set(k, { cost: e.cost + c.costNanos, tokens: e.tokens + c.tokens });
    }
    const f = set.size ? scaleTo / set.size : 0;
    return [...m].map(([model, e]) => ({ model, costUsd: usd(e.cost) * f, tokens: e.tokens * f }));
  };
  let actualTokens = 0;
  let expectedTokens = 0;
  for (const i of run) {
    actualTokens += tokens[i]!;
    expectedTokens += tokenScores[i]!.expected;
  }
  let kind: SpendAnomaly['kind'] = lead[start]!.kind ?? 'spike';
  // A fine-tuned deployment whose traffic stops keeps billing hosting hours: call it idle.
  const fineTuned = sc.cells.some(
    (c) => c.dims['deploymentType'] === 'fine-tuned' || c.dims['deploymentType'] === 'fine-tune-hosting',
  );
  if (kind === 'drop' && sc.dim === 'deployment' && fineTuned && actualTokens <= 0.05 * expectedTokens)
    kind = 'idle';
  const from = new Date(first + start * step).toISOString();
  const explained = explainByLeaves(sc.cells, run, {
    first,
    step,
    season,
    value: pricing === 'spend' ? (c) => Number(c.costNanos) : (c) => c.tokens,
  });
  return {
    id: `${source}:${sc.scope}:${grain}:${metric}:${from}`,
    source,
    metric,
    scope: sc.scope,
    grain,
    kind,
    timestamp: from,
    end: new Date(first + (run[run.length - 1]! + 1) * step).toISOString(),
    points: run.length,
    actualUsd: actual,
    expectedUsd: expected,
    impactUsd: actual - expected,
    impactPct: expected > 0 ? (actual - expected) / expected : null,
    score,
    actualTokens,
    expectedTokens,
    rootCause: attributeChange(elements),
    decomposition: decomposeChange(modelSpend(baseIdx, run.length), modelSpend(idx, run.length)),
    explainedBy: { ...explained.dims, ...(sc.dim ? { [sc.dim]: sc.scope.slice(sc.dim.length + 1) } : {}) },
    leaves: explained.leaves,
    historyDays: ctx.firstData < 0 ? 0 : ((start - ctx.firstData) * step) / 86_400_000,
    pricing,
  };
}
