/**
 * Grid emission factors (gCO2e/kWh) per Azure region. Read at run time from Cloud Carbon Footprint's derived
 * table (`../shared/data/ccf/azure_region_emission_factors_gco2e_per_kwh.csv`, or TALLY_CCF_FACTORS), else a
 * small built-in table of the same public factors (CCF, Apache-2.0: eGRID2020 NERC regions for the US, pre-2021
 * annual averages elsewhere). Location-based; a market-based figure comes from the caller's own contracts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../../core/index.js';

/** Region → gCO2e/kWh, with where the numbers came from. */
export interface GridFactors {
  readonly byRegion: ReadonlyMap<string, number>;
  /** CCF's own "Unknown" default, used for regions it does not list. */
  readonly unknown: number;
  readonly source: string;
}

const BUILT_IN: Record<string, number> = {
  eastus: 379.069,
  eastus2: 379.069,
  centralus: 426.254,
  northcentralus: 410.608,
  southcentralus: 373.231,
  westcentralus: 322.167,
  westus: 322.167,
  westus2: 322.167,
  westus3: 322.167,
  canadacentral: 120,
  brazilsouth: 61.7,
  northeurope: 278.6,
  westeurope: 328.4,
  francecentral: 51.28,
  germanywestcentral: 338.66,
  swedencentral: 5.67,
  norwayeast: 7.62,
  uksouth: 225,
  japaneast: 465.8,
  australiaeast: 790,
  southafricanorth: 900.6,
};
const UNKNOWN = 351.28;

const CCF_FILE = 'azure_region_emission_factors_gco2e_per_kwh.csv';

/** The CCF table beside the repository (`../shared/data/ccf`), if it is there. */
export function defaultFactorsPath(): string {
  // src/analytics/carbon/ → repository root is three levels up; the shared data sits beside the repository.
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return process.env['TALLY_CCF_FACTORS'] ?? join(root, '..', 'shared', 'data', 'ccf', CCF_FILE);
}

/** Parses CCF's region table (region_name, ccf_constant, us_nerc_region, gco2e_per_kwh). */
export function parseFactorsCsv(text: string, source: string): GridFactors {
  const [head, ...rows] = parseCsv(text);
  const col = (name: string) => head?.findIndex((h) => h.trim() === name) ?? -1;
  const ri = col('region_name');
  const fi = col('gco2e_per_kwh');
  const byRegion = new Map<string, number>();
  let unknown = UNKNOWN;
  for (const r of rows) {
    const region = r[ri]?.trim().toLowerCase();
    const f = Number(r[fi]);
    if (!region || !Number.isFinite(f)) continue;
    if (region === 'unknown') unknown = f;
    else byRegion.set(region, f);
  }
  return { byRegion, unknown, source };
}

/** Loads the factors from `path` (default: the shared CCF table), falling back to the built-in table. */
export function loadGridFactors(path = defaultFactorsPath()): GridFactors {
  if (existsSync(path))
    // The file's name, not its path: the source is shown to API callers, who must not learn the server's layout.
    return parseFactorsCsv(
      readFileSync(path, 'utf8'),
      `Cloud Carbon Footprint Azure factors (${basename(path)})`,
    );
  return {
    byRegion: new Map(Object.entries(BUILT_IN)),
    unknown: UNKNOWN,
    source: 'built-in subset of Cloud Carbon Footprint Azure factors (Apache-2.0; eGRID2020 for US regions)',
  };
}

/** gCO2e/kWh of a region: exact name, else CCF's Unknown default. */
export function factorFor(f: GridFactors, region: string | null): { factor: number; known: boolean } {
  const v = region ? f.byRegion.get(region.toLowerCase()) : undefined;
  return v === undefined ? { factor: f.unknown, known: false } : { factor: v, known: true };
}
