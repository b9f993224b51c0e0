/**
 * Replays a provisioned deployment's per-minute token load against N PTU: each minute, capacity is
 * N × input-TPM-per-PTU input-equivalent tokens (uncached input + ratio × output; cached input uses no
 * capacity, as Azure's calculator documents); load above it spills to pay-as-you-go in proportion.
 * Pure and allocation-free per N, so 0–100 PTU over 60 days of minutes (8.6M minute-steps) stays well under
 * the 2 s target (see bench/recommend.ts).
 */

/** One minute of load on a deployment (tokens, not yet weighted). */
export interface MinuteLoad {
  readonly uncached: number;
  readonly cached: number;
  readonly output: number;
}

/** PTU sizing facts and the pay-as-you-go list prices spillover would be billed at (nanos per 1M tokens). */
export interface ReplaySpec {
  readonly inputTpmPerPtu: number;
  readonly outputRatio: number;
  readonly inputNanosPerMTok: bigint;
  readonly cachedNanosPerMTok: bigint;
  readonly outputNanosPerMTok: bigint;
}

/** What N PTU would have done with the observed load. */
export interface ReplayOutcome {
  readonly ptu: number;
  /** Served input-equivalent tokens ÷ capacity over every minute of the window (idle minutes included). */
  readonly utilisation: number;
  /** Share of input-equivalent tokens that spilled to pay-as-you-go. */
  readonly spillShare: number;
  /** Minutes in which some load spilled. */
  readonly spillMinutes: number;
  /** Pay-as-you-go list cost of the spilled share, nanos, rounded once per N. */
  readonly spillListNanos: bigint;
}

/** Replays `minutes` (only minutes with load; `windowMinutes` counts every minute) for each PTU count. */
export function replayPtu(
  minutes: readonly MinuteLoad[],
  windowMinutes: number,
  spec: ReplaySpec,
  ptuCounts: readonly number[],
): ReplayOutcome[] {
  const n = minutes.length;
  const load = new Float64Array(n);
  const cost = new Float64Array(n);
  const pin = Number(spec.inputNanosPerMTok) / 1e6;
  const pca = Number(spec.cachedNanosPerMTok) / 1e6;
  const pout = Number(spec.outputNanosPerMTok) / 1e6;
  let total = 0;
  let totalCost = 0;
  for (let i = 0; i < n; i++) {
    const m = minutes[i]!;
    load[i] = m.uncached + spec.outputRatio * m.output;
    cost[i] = m.uncached * pin + m.cached * pca + m.output * pout;
    total += load[i]!;
    totalCost += cost[i]!;
  }
  return ptuCounts.map((ptu) => {
    const cap = ptu * spec.inputTpmPerPtu;
    // Without a deployment every token (cached ones too) is billed pay-as-you-go.
    if (cap === 0)
      return {
        ptu,
        utilisation: 0,
        spillShare: total > 0 ? 1 : 0,
        spillMinutes: n,
        spillListNanos: BigInt(Math.round(totalCost)),
      };
    let served = 0;
    let spilled = 0;
    let spillCost = 0;
    let spillMinutes = 0;
    for (let i = 0; i < n; i++) {
      const l = load[i]!;
      if (l <= cap) {
        served += l;
        continue;
      }
      served += cap;
      spilled += l - cap;
      spillMinutes++;
      spillCost += (cost[i]! * (l - cap)) / l;
    }
    return {
      ptu,
      utilisation: cap > 0 && windowMinutes > 0 ? served / (cap * windowMinutes) : 0,
      spillShare: total > 0 ? spilled / total : 0,
      spillMinutes,
      spillListNanos: BigInt(Math.round(spillCost)),
    };
  });
}

/** PTU counts worth pricing: 0 (all pay-as-you-go) and min, min+step, … up to `upTo` (at least the minimum). */
export function ptuCandidates(minPtu: number, stepPtu: number, upTo: number): number[] {
  const out = [0];
  for (let p = minPtu; ; p += stepPtu) {
    out.push(p);
    if (p >= upTo) return out;
  }
}
