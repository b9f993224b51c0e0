/**
 * The scenario estimator: monthly conversations × tokens per conversation, priced per option (pay-as-you-go
 * tokens, or PTUs sized from peak load), plus fixed services, over a horizon; the cheapest option that fits;
 * and what the history strategy costs against `window:2`.
 */
import { TallyError, sumNanos, type Nanos } from '../core/index.js';
import {
  canonicalQuery,
  contextWindow,
  fineTunedHostingPerHour,
  isProvisioned,
  lookupPrice,
  lookupPtuSpec,
  lookupServicePrice,
  priceUsage,
  type Discount,
} from '../catalog/index.js';
import { conversationProfile } from './conversation.js';
import {
  HOURS_PER_MONTH,
  MINUTES_PER_MONTH,
  inputEquivalentTokens,
  ptuMonthCost,
  sizePtu,
  type Reservation,
} from './ptu-sizing.js';
import type { Scenario, ScenarioOption } from './scenario.js';

/** One month of one option. Token cost of a provisioned option is its PTU cost (no per-token price). */
export interface MonthEstimate {
  month: number;
  conversations: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  tokenCostNanos: Nanos;
  fixedCostNanos: Nanos;
  totalCostNanos: Nanos;
  ptuUnits?: number;
}

/** PTU facts of a provisioned option. */
export interface PtuEstimate {
  units: number;
  reservation: Reservation;
  /** Average used share of provisioned capacity over the horizon (0-1). */
  utilization: number;
  /** Utilization at which PTUs cost the same as pay-as-you-go on the matching standard deployment (0-1+). */
  breakEvenUtilization: number;
  paygCostNanos: Nanos;
  /** False when a fixed PTU count cannot carry the peak load. */
  fitsPeak: boolean;
}

/** One option over the horizon. */
export interface OptionEstimate {
  name: string;
  /** The model as the scenario names it, and its resolved dated id. */
  model: string;
  modelId: string;
  deployment: string;
  provider: string;
  months: MonthEstimate[];
  totalCostNanos: Nanos;
  fits: boolean;
  /** Why the option does not fit (context window, PTU capacity), when it does not. */
  notFitReason?: string;
  ptu?: PtuEstimate;
  /** Total with the same option under `history: window:2`. */
  window2TotalCostNanos: Nanos;
}

/** The whole estimate. */
export interface Estimate {
  scenario: string;
  horizonMonths: number;
  history: string;
  options: OptionEstimate[];
  cheapest: { name: string; model: string; deployment: string } | null;
}

const PAYG_FOR: Record<string, string> = {
  provisioned: 'global-standard',
  'data-zone-provisioned': 'data-zone',
  'regional-provisioned': 'regional',
};

/** Conversations in month m (1-based): visitors × (1+growth)^(m−1) × interactionRate × conversationsPerUser. */
export function conversationsInMonth(s: Scenario, m: number): number {
  const t = s.traffic;
  return (
    t.visitorsPerMonth * Math.pow(1 + t.monthlyGrowth, m - 1) * t.interactionRate * t.conversationsPerUser
  );
}

interface MonthTokens {
  conversations: number;
  input: number;
  cached: number;
  output: number;
}

function monthTokens(s: Scenario & { baseDir?: string }, model: string, history: string): MonthTokens[] {
  const p = conversationProfile(s, model, history);
  const served = 1 - s.responseCacheHitRate;
  const out: MonthTokens[] = [];
  for (let m = 1; m <= s.horizonMonths; m++) {
    const conversations = conversationsInMonth(s, m);
    // Tokens are whole numbers per month; rounding happens once here, money stays exact from here on.
    const input = Math.round(conversations * p.inputTokens * served);
    const cached = Math.round(input * s.promptCacheRate);
    const output = Math.round(conversations * p.outputTokens * served);
    out.push({ conversations, input, cached, output });
  }
  return out;
}

function fixedMonthlyCost(s: Scenario, at: Date | undefined): Nanos {
  let total = 0n;
  s.fixed.forEach((f, i) => {
    let p;
    try {
      p = lookupServicePrice({ service: f.service, sku: f.sku, at });
    } catch (err) {
      if (err instanceof TallyError)
        throw new TallyError(err.code, `fixed[${i}]: ${err.message}`, {
          ...err.details,
          field: `fixed[${i}]`,
        });
      throw err;
    }
    if (p.unit === 'hour') total += scaleUnits(p.priceNanos * BigInt(HOURS_PER_MONTH), f.units);
    else total += scaleUnits(p.priceNanos, Math.max(0, f.units - p.freeUnitsPerMonth));
  });
  return total;
}

// Units may be fractional (e.g. 1.5 search units): scale by millionths to stay in integer arithmetic.
function scaleUnits(n: Nanos, units: number): Nanos {
  const micro = BigInt(Math.round(units * 1e6));
  return (n * micro + 500_000n) / 1_000_000n;
}

function tokenCost(
  u: MonthTokens,
  q: Parameters<typeof priceUsage>[1],
  discounts: readonly Discount[],
): Nanos {
  return priceUsage(
    { inputTokens: u.input, cachedInputTokens: u.cached, outputTokens: u.output },
    q,
    discounts,
  ).costNanos;
}

function withOptionContext<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TallyError)
      throw new TallyError(err.code, `options[${i}]: ${err.message}`, { ...err.details, option: i });
    throw err;
  }
}

function estimateOption(
  s: Scenario & { baseDir?: string },
  o: ScenarioOption,
  discounts: readonly Discount[],
  at: Date | undefined,
  fixedNanos: Nanos,
): OptionEstimate {
  const c = canonicalQuery({
    model: o.model,
    deployment: o.deployment,
    provider: o.provider,
    region: o.region,
    at,
  });
  const q = { model: o.model, deployment: c.deployment, provider: c.provider, region: o.region, at };
  const name = o.name ?? `${o.model} ${c.deployment}`;
  const totalFor = (history: string) =>
    optionMonths(s, o, c.deployment, q, history, discounts, at, fixedNanos);
  const main = totalFor(s.history);
  const profile = conversationProfile(s, o.model);
  const window = contextWindow(o.model);
  const largest = profile.maxRequestInputTokens + profile.maxRequestOutputTokens;
  const notFitReason =
    window !== undefined && largest > window
      ? `the largest request (${Math.round(largest)} tokens) exceeds ${c.model.family}'s ${window}-token context window`
      : main.ptu && !main.ptu.fitsPeak
        ? `${main.ptu.units} PTU cannot carry the peak load`
        : undefined;
  const window2 = s.history === 'window:2' ? main : totalFor('window:2');
  return {
    name,
    model: o.model,
    modelId: c.model.id,
    deployment: c.deployment,
    provider: c.provider,
    months: main.months,
    totalCostNanos: sumNanos(main.months.map((m) => m.totalCostNanos)),
    fits: notFitReason === undefined,
    ...(notFitReason ? { notFitReason } : {}),
    ...(main.ptu ? { ptu: main.ptu } : {}),
    window2TotalCostNanos: sumNanos(window2.months.map((m) => m.totalCostNanos)),
  };
}

function optionMonths(
  s: Scenario & { baseDir?: string },
  o: ScenarioOption,
  deployment: string,
  q: Parameters<typeof priceUsage>[1],
  history: string,
  discounts: readonly Discount[],
  at: Date | undefined,
  fixedNanos: Nanos,
): { months: MonthEstimate[]; ptu?: PtuEstimate } {
  const tokens = monthTokens(s, o.model, history);
  const base = (t: MonthTokens, m: number) => ({
    month: m + 1,
    conversations: t.conversations,
    inputTokens: t.input,
    cachedInputTokens: t.cached,
    outputTokens: t.output,
  });
  if (!isProvisioned(deployment)) {
    if (!lookupPrice(q))
      throw new TallyError(
        'not_found',
        `no price for ${o.model} on deployment type ${deployment}; it is not priced at zero`,
        {
          field: 'deployment',
        },
      );
    // Fine-tuned deployments also pay hosting per hour while deployed (730 h a month).
    const hosting =
      deployment === 'fine-tuned' ? fineTunedHostingPerHour().priceNanos * BigInt(HOURS_PER_MONTH) : 0n;
    const months = tokens.map((t, m) => {
      const tokenCostNanos = tokenCost(t, q, discounts);
      const fixedCostNanos = fixedNanos + hosting;
      return {
        ...base(t, m),
        tokenCostNanos,
        fixedCostNanos,
        totalCostNanos: tokenCostNanos + fixedCostNanos,
      };
    });
    return { months };
  }
  const spec = lookupPtuSpec({ model: o.model, deployment, region: o.region, at });
  if (!spec)
    throw new TallyError('not_found', `no PTU sizing or price for ${o.model} on ${deployment}`, {
      field: 'model',
    });
  const reservation: Reservation =
    o.reservation === '1-month' || o.reservation === '1-year' ? o.reservation : 'hourly';
  let used = 0;
  let capacity = 0;
  let fitsPeak = true;
  const months = tokens.map((t, m) => {
    const ie = inputEquivalentTokens(t.input - t.cached, t.output, spec);
    const peakTpm = (ie / MINUTES_PER_MONTH) * s.traffic.peakToAverage;
    const units = typeof o.ptu === 'number' ? o.ptu : sizePtu(peakTpm, spec);
    if (units * spec.inputTpmPerPtu < peakTpm) fitsPeak = false;
    used += ie;
    capacity += units * spec.inputTpmPerPtu * MINUTES_PER_MONTH;
    const tokenCostNanos = ptuMonthCost(units, spec, reservation);
    return {
      ...base(t, m),
      tokenCostNanos,
      fixedCostNanos: fixedNanos,
      totalCostNanos: tokenCostNanos + fixedNanos,
      ptuUnits: units,
    };
  });
  const paygQ = { ...q, deployment: PAYG_FOR[deployment]! };
  const paygCostNanos = lookupPrice(paygQ) ? sumNanos(tokens.map((t) => tokenCost(t, paygQ, discounts))) : 0n;
  const ptuCost = sumNanos(months.map((m) => m.tokenCostNanos));
  const utilization = capacity > 0 ? used / capacity : 0;
  // PAYG cost scales with load; PTU cost does not. Break-even = utilization at which both cost the same.
  const breakEvenUtilization =
    paygCostNanos > 0n ? (utilization * Number(ptuCost)) / Number(paygCostNanos) : Infinity;
  const ptu: PtuEstimate = {
    units: Math.max(...months.map((m) => m.ptuUnits)),
    reservation,
    utilization,
    breakEvenUtilization,
    paygCostNanos,
    fitsPeak,
  };
  return { months, ptu };
}

/** Estimates every option of a scenario and picks the cheapest that fits. */
export function estimateScenario(
  s: Scenario & { baseDir?: string },
  opts: { discounts?: readonly Discount[]; at?: Date } = {},
): Estimate {
  const discounts = opts.discounts ?? [];
  const fixedNanos = fixedMonthlyCost(s, opts.at);
  const options = s.options.map((o, i) =>
    withOptionContext(i, () => estimateOption(s, o, discounts, opts.at, fixedNanos)),
  );
  let cheapest: OptionEstimate | null = null;
  for (const o of options)
    if (o.fits && (cheapest === null || o.totalCostNanos < cheapest.totalCostNanos)) cheapest = o;
  return {
    scenario: s.name,
    horizonMonths: s.horizonMonths,
    history: s.history,
    options,
    cheapest: cheapest
      ? { name: cheapest.name, model: cheapest.model, deployment: cheapest.deployment }
      : null,
  };
}
