/**
 * Self-hosted pricing (ADR 0026). A self-hosted deployment costs its declared hourly amount every hour it runs,
 * used or not. Each hour's cost is split over that hour's tokens by weight (uncached input 1, cached input and
 * output as allocation weighs them: `allocation.cachedTokenWeight`, `allocation.outputTokenWeight`), with
 * largest-remainder nanos, so the hour's pieces add up to the hourly cost exactly. An hour without tokens is
 * idle: its cost belongs to no consumer. Energy, when the deployment declares its power, follows the same split
 * (hours × watts × PUE). Pure: rows in, figures out; the same rows always give the same nanos.
 */
import { splitNanos, sumNanos, type Nanos } from '../../core/index.js';
import type { HostedDeployment } from './_spec.js';

const HOUR_MS = 3_600_000;

/** One hour's ledger usage of one grouping on a hosted deployment. */
export interface HostedUsageRow {
  /** Start of the UTC hour, epoch ms. */
  readonly hourMs: number;
  readonly dims: Readonly<Record<string, string | null>>;
  readonly requests: number;
  readonly inputTokens: bigint;
  readonly cachedInputTokens: bigint;
  readonly outputTokens: bigint;
}

/** Token weights (allocation's; output 4 and cached 0 by default, as Azure's PTU ratio). */
export interface TokenWeights {
  readonly outputTokenWeight: number;
  readonly cachedTokenWeight: number;
}

/** One grouping's share of a hosted deployment over the window. */
export interface HostedGroup {
  readonly dims: Readonly<Record<string, string | null>>;
  /** Requests and output tokens in billed hours. */
  readonly requests: number;
  readonly outputTokens: number;
  /** Weighted tokens × 1000 (integer weights in thousandths). */
  readonly weightMilli: bigint;
  readonly nanos: Nanos;
  readonly energyWh: number;
}

/** A hosted deployment's cost over a window. */
export interface HostedCost {
  readonly deployment: HostedDeployment;
  /** The billed span inside the window, epoch ms (equal when it did not run in the window). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly hours: number;
  readonly activeHours: number;
  readonly idleHours: number;
  /** hours × hourly cost. */
  readonly costNanos: Nanos;
  /** The active hours' cost, carried by tokens. */
  readonly usedNanos: Nanos;
  /** The idle hours' cost, carried by nobody. */
  readonly idleNanos: Nanos;
  /** Weighted tokens × 1000 in billed hours. */
  readonly weightMilli: bigint;
  /** usedNanos per 1M weighted tokens: the effective price of an uncached input token (× 1M). */
  readonly per1MInputNanos: Nanos | null;
  /** The same for an output token (× the output weight). */
  readonly per1MOutputNanos: Nanos | null;
  /** costNanos (idle included) per 1M weighted input tokens: the all-in unit cost. */
  readonly allInPer1MInputNanos: Nanos | null;
  /** Wh per running hour (watts × PUE), or null without a declared power. */
  readonly whPerHour: number | null;
  readonly idleEnergyWh: number;
  /** Start of every idle hour, epoch ms (for reports by day or hour). */
  readonly idleHourStarts: readonly number[];
  readonly groups: readonly HostedGroup[];
}

/** Weighted tokens × 1000: (input − cached) + cached × cachedWeight + output × outputWeight (allocation's rule). */
export function weightMilli(
  r: Pick<HostedUsageRow, 'inputTokens' | 'cachedInputTokens' | 'outputTokens'>,
  w: TokenWeights,
): bigint {
  const uncached = r.inputTokens > r.cachedInputTokens ? r.inputTokens - r.cachedInputTokens : 0n;
  return (
    uncached * 1000n +
    r.cachedInputTokens * BigInt(Math.round(w.cachedTokenWeight * 1000)) +
    r.outputTokens * BigInt(Math.round(w.outputTokenWeight * 1000))
  );
}

/**
 * The whole hours a deployment is billed for inside a window: from `since` (or, undeclared, the hour of its
 * first request ever: an all-time report must not bill it from 1970) to `until`, the window's end or the end of
 * the current hour, whichever comes first. Never used and no `since`: nothing.
 */
export function billedSpan(
  d: HostedDeployment,
  w: { readonly from: Date; readonly to: Date },
  nowMs: number,
  firstSeenMs: number | null,
): { fromMs: number; toMs: number } {
  const floorH = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
  const ceilH = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;
  const start = d.sinceMs ?? (firstSeenMs === null ? null : floorH(firstSeenMs));
  if (start === null) return { fromMs: w.from.getTime(), toMs: w.from.getTime() };
  const fromMs = ceilH(Math.max(w.from.getTime(), start));
  const toMs = floorH(Math.min(w.to.getTime(), d.untilMs ?? Infinity, ceilH(nowMs)));
  return { fromMs, toMs: Math.max(fromMs, toMs) };
}

/** Rounded half up: a × b ÷ c for non-negative bigints. */
const mulDiv = (a: bigint, b: bigint, c: bigint): bigint => (a * b * 2n + c) / (2n * c);

/** Prices one hosted deployment's hours over a window from its hourly usage rows. */
export function priceHosted(
  d: HostedDeployment,
  rows: readonly HostedUsageRow[],
  w: { readonly from: Date; readonly to: Date },
  weights: TokenWeights,
  nowMs: number,
  firstSeenMs: number | null,
): HostedCost {
  const { fromMs, toMs } = billedSpan(d, w, nowMs, firstSeenMs);
  const hours = (toMs - fromMs) / HOUR_MS;
  const whPerHour = d.watts === null ? null : d.watts * d.pue;
  const byHour = new Map<number, number[]>();
  rows.forEach((r, i) => {
    if (r.hourMs < fromMs || r.hourMs >= toMs) return;
    const list = byHour.get(r.hourMs) ?? [];
    list.push(i);
    byHour.set(r.hourMs, list);
  });
  const nanos = rows.map(() => 0n);
  const energy = rows.map(() => 0);
  const milli = rows.map((r) => weightMilli(r, weights));
  let activeHours = 0;
  let weightTotal = 0n;
  const active = new Set<number>();
  for (const [hour, idx] of byHour) {
    const ws = idx.map((i) => milli[i]!);
    const total = sumNanos(ws);
    if (total === 0n) continue; // requests without tokens (errors): the hour is idle
    activeHours++;
    active.add(hour);
    weightTotal += total;
    splitNanos(d.hourlyCostNanos, ws).forEach((n, k) => (nanos[idx[k]!] = n));
    if (whPerHour !== null) idx.forEach((i) => (energy[i] = (whPerHour * Number(milli[i]!)) / Number(total)));
  }
  const groups = new Map<
    string,
    { dims: HostedUsageRow['dims']; req: number; out: number; m: bigint; n: bigint; e: number }
  >();
  rows.forEach((r, i) => {
    const key = JSON.stringify(r.dims);
    const g = groups.get(key) ?? { dims: r.dims, req: 0, out: 0, m: 0n, n: 0n, e: 0 };
    // Requests outside the billed span (before since, after until) cost nothing and have no measured energy.
    if (r.hourMs >= fromMs && r.hourMs < toMs) {
      g.req += r.requests;
      g.out += Number(r.outputTokens);
      g.m += milli[i]!;
    }
    g.n += nanos[i]!;
    g.e += energy[i]!;
    groups.set(key, g);
  });
  const idleHourStarts: number[] = [];
  for (let h = fromMs; h < toMs; h += HOUR_MS) if (!active.has(h)) idleHourStarts.push(h);
  const idleHours = hours - activeHours;
  const usedNanos = BigInt(activeHours) * d.hourlyCostNanos;
  const costNanos = BigInt(hours) * d.hourlyCostNanos;
  const outMilli = BigInt(Math.round(weights.outputTokenWeight * 1000));
  const per = (n: bigint, unitMilli: bigint): Nanos | null =>
    weightTotal === 0n ? null : mulDiv(n, 1_000_000n * unitMilli, weightTotal);
  return {
    deployment: d,
    fromMs,
    toMs,
    hours,
    activeHours,
    idleHours,
    costNanos,
    usedNanos,
    idleNanos: costNanos - usedNanos,
    weightMilli: weightTotal,
    per1MInputNanos: per(usedNanos, 1000n),
    per1MOutputNanos: per(usedNanos, outMilli),
    allInPer1MInputNanos: per(costNanos, 1000n),
    whPerHour,
    idleEnergyWh: whPerHour === null ? 0 : idleHours * whPerHour,
    idleHourStarts,
    groups: [...groups.values()].map((g) => ({
      dims: g.dims,
      requests: g.req,
      outputTokens: g.out,
      weightMilli: g.m,
      nanos: g.n,
      energyWh: g.e,
    })),
  };
}
