/**
 * Root cause of a change in an additive measure (spend), Adtributor-style (Bhagwan et al., NSDI 2014): per
 * dimension, the smallest set of values whose explanatory power (share of the change) reaches 0.67, each
 * value explaining at least 0.1; dimensions ranked by surprise (Jensen-Shannon divergence between expected and
 * actual shares). Plus a volume / unit price / model mix decomposition of cost = tokens x price.
 */

/** Actual and expected amounts of one dimension value (USD). */
export interface ElementChange {
  readonly dimension: string;
  readonly value: string;
  readonly actual: number;
  readonly expected: number;
}

/** One root-cause entry. */
export interface RootCause {
  readonly dimension: string;
  readonly value: string;
  readonly contributionUsd: number;
  readonly actualUsd: number;
  readonly expectedUsd: number;
  /** Share of the total change this value explains. */
  readonly explanatoryPower: number;
  /** Jensen-Shannon surprise of the dimension it belongs to. */
  readonly surprise: number;
}

const T_EP = 0.67;
const T_EEP = 0.1;

function js(p: number, q: number): number {
  const m = (p + q) / 2;
  const term = (a: number) => (a > 0 && m > 0 ? a * Math.log(a / m) : 0);
  return 0.5 * (term(p) + term(q));
}

/** Explains a change with the values of the most surprising dimensions (at most `maxDimensions`). */
export function attributeChange(elements: readonly ElementChange[], maxDimensions = 3): RootCause[] {
  // Rows come in the store's order, which differs between backends (and is unspecified for ties): sort them, so
  // the float sums and the order of equally surprising dimensions (an app and its only team) are the same.
  const byKey = (a: ElementChange, b: ElementChange) =>
    a.dimension < b.dimension
      ? -1
      : a.dimension > b.dimension
        ? 1
        : a.value < b.value
          ? -1
          : a.value > b.value
            ? 1
            : 0;
  const dims = new Map<string, ElementChange[]>();
  for (const e of [...elements].sort(byKey)) {
    const list = dims.get(e.dimension);
    if (list) list.push(e);
    else dims.set(e.dimension, [e]);
  }
  const ranked: { surprise: number; causes: RootCause[]; explained: boolean }[] = [];
  for (const [dimension, els] of dims) {
    const A = els.reduce((a, e) => a + e.actual, 0);
    const E = els.reduce((a, e) => a + e.expected, 0);
    const delta = A - E;
    if (delta === 0 || els.length === 0) continue;
    const scored = els
      .map((e) => ({
        e,
        ep: (e.actual - e.expected) / delta,
        s: js(E > 0 ? e.expected / E : 0, A > 0 ? e.actual / A : 0),
      }))
      .sort((a, b) => b.s - a.s);
    const chosen: typeof scored = [];
    let cum = 0;
    for (const x of scored) {
      if (x.ep < T_EEP) continue;
      chosen.push(x);
      cum += x.ep;
      if (cum >= T_EP) break;
    }
    const explained = cum >= T_EP;
    const pick = explained ? chosen : [...scored].sort((a, b) => b.ep - a.ep).slice(0, 1);
    const surprise = pick.reduce((a, x) => a + x.s, 0);
    ranked.push({
      surprise,
      explained,
      causes: pick.map((x) => ({
        dimension,
        value: x.e.value,
        contributionUsd: x.e.actual - x.e.expected,
        actualUsd: x.e.actual,
        expectedUsd: x.e.expected,
        explanatoryPower: x.ep,
        surprise,
      })),
    });
  }
  ranked.sort((a, b) => Number(b.explained) - Number(a.explained) || b.surprise - a.surprise);
  return ranked.slice(0, maxDimensions).flatMap((r) => r.causes);
}

/** Cost and tokens of one model in a period. */
export interface ModelSpend {
  readonly model: string;
  readonly costUsd: number;
  readonly tokens: number;
}

/** Volume, unit-price and model-mix parts of a cost change; they add up to actual - baseline. */
export interface ChangeDecomposition {
  readonly baselineUsd: number;
  readonly actualUsd: number;
  readonly volumeUsd: number;
  readonly priceUsd: number;
  readonly mixUsd: number;
}

/**
 * Splits C1 - C0 into volume (T1 - T0) x P0, mix T1 x sum((w1 - w0) x p0), price T1 x sum(w1 x (p1 - p0)),
 * where w are token shares by model and p unit prices; a model new in the period is priced at its own
 * price (so it lands in mix). Spend with no tokens (hosting fees) lands in price.
 */
export function decomposeChange(
  baseline: readonly ModelSpend[],
  actual: readonly ModelSpend[],
): ChangeDecomposition {
  const C0 = baseline.reduce((a, m) => a + m.costUsd, 0);
  const C1 = actual.reduce((a, m) => a + m.costUsd, 0);
  const T0 = baseline.reduce((a, m) => a + m.tokens, 0);
  const T1 = actual.reduce((a, m) => a + m.tokens, 0);
  if (T0 === 0 || T1 === 0)
    return { baselineUsd: C0, actualUsd: C1, volumeUsd: 0, priceUsd: C1 - C0, mixUsd: 0 };
  const P0 = C0 / T0;
  const base = new Map(baseline.map((m) => [m.model, m]));
  let mixTerm = 0;
  const models = new Set([...baseline.map((m) => m.model), ...actual.map((m) => m.model)]);
  for (const name of models) {
    const b = base.get(name);
    const a = actual.find((m) => m.model === name);
    const w0 = b ? b.tokens / T0 : 0;
    const w1 = a ? a.tokens / T1 : 0;
    const p0 = b && b.tokens > 0 ? b.costUsd / b.tokens : a && a.tokens > 0 ? a.costUsd / a.tokens : 0;
    mixTerm += (w1 - w0) * p0;
  }
  const volumeUsd = (T1 - T0) * P0;
  const mixUsd = T1 * mixTerm;
  return { baselineUsd: C0, actualUsd: C1, volumeUsd, mixUsd, priceUsd: C1 - C0 - volumeUsd - mixUsd };
}
