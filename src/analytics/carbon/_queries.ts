/** Named query for carbon: output tokens and requests per grouping value, model, provider and region. */
import type { TimeWindow } from '../../core/index.js';
import type { CostStore, TokenGroupColumn, UsageDimension } from '../../store/index.js';
import type { CarbonBy, MeasuredEnergy, MeasuredMethod, TokenGroup } from './carbon.js';
import { loadHostedCosts, type HostedDeployment, type TokenWeights } from '../hosting/index.js';

const COLUMN: Record<CarbonBy, TokenGroupColumn> = {
  team: 'team',
  app: 'app',
  model: 'model',
  region: 'region',
  deployment: 'deployment',
  environment: 'environment',
  'cost-center': 'cost_center',
};

/** Output tokens and requests per (by, model, provider, region) in the window, optionally for some teams only. */
export function loadTokenGroups(
  store: CostStore,
  w: TimeWindow,
  by: CarbonBy,
  teams?: readonly string[],
): Promise<TokenGroup[]> {
  return store.outputTokenGroups(w, COLUMN[by], teams);
}

/**
 * Energy of self-hosted deployments that declare their power, from their hours (ADR 0026): per grouping value
 * (with the model, provider and region the per-token estimate groups by, so the same tokens leave it) and idle.
 * A team-scoped caller sees its teams' shares only, without idle hours.
 */
export async function loadMeasuredEnergy(
  store: CostStore,
  deployments: readonly HostedDeployment[],
  w: TimeWindow,
  by: CarbonBy,
  weights: TokenWeights,
  teams?: readonly string[],
): Promise<{ energy: MeasuredEnergy; methods: MeasuredMethod[] }> {
  const powered = deployments.filter((d) => d.watts !== null);
  if (powered.length === 0) return { energy: { groups: [], idle: [] }, methods: [] };
  const col = COLUMN[by];
  const wanted: UsageDimension[] = [
    col,
    'model',
    'provider',
    'region',
    ...(teams ? (['team'] as const) : []),
  ];
  const dims = [...new Set(wanted)];
  const costs = await loadHostedCosts(store, powered, w, dims, weights);
  const groups = costs.flatMap((c) =>
    c.groups
      .filter((g) => !teams || teams.includes(g.dims['team'] ?? ''))
      .map((g) => ({
        key: g.dims[col] ?? null,
        model: g.dims['model'] ?? '',
        provider: g.dims['provider'] ?? '',
        region: g.dims['region'] ?? null,
        requests: g.requests,
        outputTokens: g.outputTokens,
        energyWh: g.energyWh,
      })),
  );
  const idle = teams
    ? []
    : costs
        .filter((c) => c.idleHours > 0)
        .map((c) => ({
          deployment: `${c.deployment.upstream}/${c.deployment.deployment}`,
          region: c.deployment.region,
          hours: c.idleHours,
          energyWh: c.idleEnergyWh,
        }));
  const methods = costs.map((c) => ({
    deployment: `${c.deployment.upstream}/${c.deployment.deployment}`,
    powerSource: c.deployment.powerSource ?? 'none',
    watts: c.deployment.watts ?? 0,
    pue: c.deployment.pue,
    hours: c.hours,
    activeHours: c.activeHours,
    idleHours: c.idleHours,
  }));
  return { energy: { groups, idle }, methods };
}
