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
}

/** Location-based (the region's grid) or market-based (one factor from the organisation's own contracts). */
export type CarbonBasis =
  { readonly kind: 'location' } | { readonly kind: 'market'; readonly gco2ePerKwh: number };

/** The report. */
export interface CarbonReport {
  readonly rows: readonly CarbonRow[];
  readonly total: CarbonRow;
  readonly unknownRegions: readonly string[];
}

/** Energy and emissions per grouping value. */
export function carbonReport(
  groups: readonly TokenGroup[],
  factors: GridFactors,
  basis: CarbonBasis,
): CarbonReport {
  const acc = new Map<
    string | null,
    { requests: number; out: number; eLo: number; eHi: number; cLo: number; cHi: number }
  >();
  const unknown = new Set<string>();
  for (const g of groups) {
    const pue = g.provider.startsWith('azure') ? AZURE_PUE : DEFAULT_PUE;
    const e = energyRange(familyOf(g.model) ?? g.model, pue);
    const f = factorFor(factors, g.region);
    if (!f.known) unknown.add(g.region ?? '(none)');
    const gkwh = basis.kind === 'market' ? basis.gco2ePerKwh : f.factor;
    const a = acc.get(g.key) ?? { requests: 0, out: 0, eLo: 0, eHi: 0, cLo: 0, cHi: 0 };
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
  const row = (
    key: string | null,
    a: { requests: number; out: number; eLo: number; eHi: number; cLo: number; cHi: number },
  ): CarbonRow => ({
    key,
    requests: a.requests,
    outputTokens: a.out,
    energyWh: { low: r3(a.eLo), high: r3(a.eHi) },
    co2eGrams: { low: r3(a.cLo), high: r3(a.cHi) },
    energyWhPerRequest: {
      low: r3(a.requests ? a.eLo / a.requests : 0),
      high: r3(a.requests ? a.eHi / a.requests : 0),
    },
  });
  const all = { requests: 0, out: 0, eLo: 0, eHi: 0, cLo: 0, cHi: 0 };
  for (const a of acc.values()) for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += a[k];
  const rows = [...acc].map(([k, a]) => row(k, a)).sort((x, y) => y.co2eGrams.high - x.co2eGrams.high);
  return { rows, total: row(null, all), unknownRegions: [...unknown].sort() };
}

/** The method block every carbon document carries. */
export function carbonMethod(factors: GridFactors, basis: CarbonBasis): Record<string, unknown> {
  return {
    ...CARBON_METHOD,
    gridFactors:
      basis.kind === 'market'
        ? { basis: 'market', gco2ePerKwh: basis.gco2ePerKwh, source: 'given with --market-factor' }
        : { basis: 'location', source: factors.source, unknownRegionDefault: factors.unknown },
  };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
