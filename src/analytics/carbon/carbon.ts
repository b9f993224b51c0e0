/**
 * Energy and emissions per team, app, model, region or deployment, as ranges: output tokens × Wh per token
 * (EcoLogits equations, low/high by assumed model size) × the region's grid factor. Energy is linear in output
 * tokens, so summing groups gives exactly the sum of per-request figures.
 */
import { familyOf } from '../recommend/index.js';
import { AZURE_PUE, CARBON_METHOD, DEFAULT_PUE, energyRange } from './_method.js';
import { factorFor, type GridFactors } from './_factors.js';

/** What a carbon report groups by. */
export type CarbonBy = 'team' | 'app' | 'model' | 'region' | 'deployment' | 'environment' | 'cost-center';
/** Allowed --by values. */
export const CARBON_BY: readonly CarbonBy[] = [
  'team',
  'app',
  'model',
  'region',
  'deployment',
  'environment',
  'cost-center',
];

/** Output tokens of one grouping value on one model, provider and region. */
export interface TokenGroup {
  readonly key: string | null;
  readonly model: string;
  readonly provider: string;
  readonly region: string | null;
  readonly requests: number;
  readonly outputTokens: number;
}

/**
 * Energy measured from a self-hosted deployment's GPU hours (ADR 0026) for one grouping value: its share of the
 * running hours' energy (hours × watts × PUE, split by weighted tokens like its cost), replacing the per-token
 * EcoLogits estimate for the same output tokens.
 */
export interface MeasuredGroup extends TokenGroup {
  readonly energyWh: number;
}

/** A self-hosted deployment's idle hours: energy drawn with no request to carry it. */
export interface MeasuredIdle {
  readonly deployment: string;
  readonly region: string | null;
  readonly hours: number;
  readonly energyWh: number;
}

/** Self-hosted energy from GPU hours: per grouping value, and idle. */
export interface MeasuredEnergy {
  readonly groups: readonly MeasuredGroup[];
  readonly idle: readonly MeasuredIdle[];
}

/** A low–high range. */
export interface Range {
  readonly low: number;
  readonly high: number;
}

/** One report row. */
export interface CarbonRow {
  readonly key: string | null;
  readonly requests: number;
  readonly outputTokens: number;
  readonly energyWh: Range;
  readonly co2eGrams: Range;
  readonly energyWhPerRequest: Range;
  /** The part of energyWh measured from self-hosted GPU hours (the rest is the EcoLogits estimate). */
  readonly gpuHoursEnergyWh: number;
}

/** Location-based (the region's grid) or market-based (one factor from the organisation's own contracts). */
export type CarbonBasis =
  { readonly kind: 'location' } | { readonly kind: 'market'; readonly gco2ePerKwh: number };

/** The report. */
export interface CarbonReport {
  readonly rows: readonly CarbonRow[];
  readonly total: CarbonRow;
  readonly unknownRegions: readonly string[];
  /** Idle self-hosted hours (in the total, in no row). */
  readonly idle: readonly (MeasuredIdle & { readonly co2eGrams: number })[];
}

/** Energy and emissions per grouping value. */
export function carbonReport(
  groups: readonly TokenGroup[],
  factors: GridFactors,
  basis: CarbonBasis,
  measured: MeasuredEnergy = { groups: [], idle: [] },
): CarbonReport {
  const acc = new Map<string | null, Acc>();
  const unknown = new Set<string>();
  const gridOf = (region: string | null): number => {
    const f = factorFor(factors, region);
    if (!f.known) unknown.add(region ?? '(none)');
    return basis.kind === 'market' ? basis.gco2ePerKwh : f.factor;
  };
  // Tokens whose energy is measured leave the per-token estimate (same key, model, provider and region).
  const gkey = (g: TokenGroup) => JSON.stringify([g.key, g.model, g.provider, g.region]);
  const measuredOf = new Map<string, { requests: number; out: number }>();
  for (const m of measured.groups) {
    const t = measuredOf.get(gkey(m)) ?? { requests: 0, out: 0 };
    t.requests += m.requests;
    t.out += m.outputTokens;
    measuredOf.set(gkey(m), t);
  }
  for (const m of measured.groups) {
    const gkwh = gridOf(m.region);
    const a = acc.get(m.key) ?? newAcc();
    a.requests += m.requests;
    a.out += m.outputTokens;
    a.eLo += m.energyWh;
    a.eHi += m.energyWh;
    a.cLo += (m.energyWh / 1000) * gkwh;
    a.cHi += (m.energyWh / 1000) * gkwh;
    a.gpu += m.energyWh;
    acc.set(m.key, a);
  }
  for (const whole of groups) {
    const less = measuredOf.get(gkey(whole));
    const g = less
      ? {
          ...whole,
          requests: Math.max(0, whole.requests - less.requests),
          outputTokens: Math.max(0, whole.outputTokens - less.out),
        }
      : whole;
    const pue = g.provider.startsWith('azure') ? AZURE_PUE : DEFAULT_PUE;
    const e = energyRange(familyOf(g.model) ?? g.model, pue);
    const gkwh = gridOf(g.region);
    const a = acc.get(g.key) ?? newAcc();
    const lo = g.outputTokens * e.low;
    const hi = g.outputTokens * e.high;
    a.requests += g.requests;
    a.out += g.outputTokens;
    a.eLo += lo;
    a.eHi += hi;
    a.cLo += (lo / 1000) * gkwh;
    a.cHi += (hi / 1000) * gkwh;
    acc.set(g.key, a);
  }
  const row = (key: string | null, a: Acc): CarbonRow => ({
    key,
    requests: a.requests,
    outputTokens: a.out,
    energyWh: { low: r3(a.eLo), high: r3(a.eHi) },
    co2eGrams: { low: r3(a.cLo), high: r3(a.cHi) },
    energyWhPerRequest: {
      low: r3(a.requests ? a.eLo / a.requests : 0),
      high: r3(a.requests ? a.eHi / a.requests : 0),
    },
    gpuHoursEnergyWh: r3(a.gpu),
  });
  const all = newAcc();
  for (const a of acc.values()) for (const k of Object.keys(all) as (keyof Acc)[]) all[k] += a[k];
  const rows = [...acc].map(([k, a]) => row(k, a)).sort((x, y) => y.co2eGrams.high - x.co2eGrams.high);
  const idle = measured.idle.map((i) => ({ ...i, co2eGrams: (i.energyWh / 1000) * gridOf(i.region) }));
  for (const i of idle) {
    all.eLo += i.energyWh;
    all.eHi += i.energyWh;
    all.cLo += i.co2eGrams;
    all.cHi += i.co2eGrams;
    all.gpu += i.energyWh;
  }
  return {
    rows,
    total: row(null, all),
    unknownRegions: [...unknown].sort(),
    idle: idle.map((i) => ({ ...i, energyWh: r3(i.energyWh), co2eGrams: r3(i.co2eGrams) })),
  };
}

interface Acc {
  requests: number;
  out: number;
  eLo: number;
  eHi: number;
  cLo: number;
  cHi: number;
  gpu: number;
}
const newAcc = (): Acc => ({ requests: 0, out: 0, eLo: 0, eHi: 0, cLo: 0, cHi: 0, gpu: 0 });

/** How a self-hosted deployment's energy was measured, for the method block. */
export interface MeasuredMethod {
  readonly deployment: string;
  readonly powerSource: string;
  readonly watts: number;
  readonly pue: number;
  readonly hours: number;
  readonly activeHours: number;
  readonly idleHours: number;
}

/** The method block every carbon document carries (with the self-hosted deployments measured from GPU hours). */
export function carbonMethod(
  factors: GridFactors,
  basis: CarbonBasis,
  measured: readonly MeasuredMethod[] = [],
): Record<string, unknown> {
  return {
    ...CARBON_METHOD,
    ...(measured.length
      ? {
          selfHosted: {
            name: 'measured-gpu-hours',
            energy:
              'hours the deployment ran × declared power (GPUs × watts + 125 W host share per GPU, or a measured kW) × PUE; each running hour split over its weighted tokens like its cost, idle hours reported apart (ADR 0026); a point estimate, low = high',
            deployments: measured,
          },
        }
      : {}),
    gridFactors:
      basis.kind === 'market'
        ? { basis: 'market', gco2ePerKwh: basis.gco2ePerKwh, source: 'given with --market-factor' }
        : { basis: 'location', source: factors.source, unknownRegionDefault: factors.unknown },
  };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
