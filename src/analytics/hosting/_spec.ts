/**
 * Self-hosted deployments as tally.yaml declares them (`gateway.upstreams[].deployments[].hosting`): an exact
 * hourly cost, the span it ran, and its power for carbon. Parsed once from the validated config.
 */
import { parseUsd, TallyError, type Nanos, type TallyConfig } from '../../core/index.js';

/**
 * Board power per GPU (W), from the vendors' datasheets (the SXM/OAM part where both exist): what a GPU of
 * this type draws at full load. A deployment that knows better gives `gpus.watts` or a measured `kw`.
 */
export const GPU_WATTS: Readonly<Record<string, number>> = {
  b200: 1000,
  h200: 700,
  h100: 700,
  a100: 400,
  'a100-80gb': 400,
  'a100-40gb': 400,
  l40s: 350,
  l40: 300,
  a10: 150,
  a10g: 150,
  l4: 72,
  t4: 70,
  v100: 300,
  mi300x: 750,
};

/** EcoLogits' host model: a server of 8 GPUs draws 1 kW besides them (SERVER_POWER, SERVER_GPUS). */
export const HOST_WATTS_PER_GPU = 1000 / 8;
/** PUE when the deployment gives none (EcoLogits' default). */
export const HOSTING_DEFAULT_PUE = 1.2;

/** Where a deployment's power figure came from. */
export type PowerSource = 'gpu-type' | 'gpu-watts' | 'measured-kw';

/** One self-hosted deployment with its declared cost and power. */
export interface HostedDeployment {
  readonly upstream: string;
  readonly deployment: string;
  readonly model: string;
  readonly region: string | null;
  /** The hourly cost as declared (exact text, for evidence). */
  readonly hourlyCostUsd: string;
  readonly hourlyCostNanos: Nanos;
  /** First billed instant (epoch ms), or null: every hour of the report's window. */
  readonly sinceMs: number | null;
  /** End of the running span (exclusive), or null: still running. */
  readonly untilMs: number | null;
  /** IT power while running, W (GPUs plus their host share, or the measured draw); null when not declared. */
  readonly watts: number | null;
  readonly powerSource: PowerSource | null;
  readonly gpus: { readonly count: number; readonly type: string | null } | null;
  readonly pue: number;
}

const normType = (t: string): string =>
  t
    .toLowerCase()
    .replace(/^(nvidia|amd)\s*/, '')
    .replace(/\s+/g, '-');

/** The self-hosted deployments of a config, in config order; throws invalid_config for an unknown GPU type. */
export function hostedDeployments(config: TallyConfig | undefined): HostedDeployment[] {
  const out: HostedDeployment[] = [];
  const ups = config?.gateway?.upstreams ?? [];
  ups.forEach((u, i) =>
    u.deployments.forEach((d, j) => {
      const h = d.hosting;
      if (!h) return;
      let watts: number | null = null;
      let powerSource: PowerSource | null = null;
      if (h.kw !== undefined) {
        watts = h.kw * 1000;
        powerSource = 'measured-kw';
      } else if (h.gpus) {
        const per = h.gpus.watts ?? (h.gpus.type ? GPU_WATTS[normType(h.gpus.type)] : undefined);
        if (per === undefined)
          throw new TallyError(
            'invalid_config',
            `gateway.upstreams[${i}].deployments[${j}].hosting.gpus: ${h.gpus.type ? `unknown GPU type "${h.gpus.type}"` : 'no type'}; give watts (power per GPU) or a type among ${Object.keys(GPU_WATTS).join(', ')}`,
            { field: `gateway.upstreams.${i}.deployments.${j}.hosting.gpus` },
          );
        watts = h.gpus.count * (per + HOST_WATTS_PER_GPU);
        powerSource = h.gpus.watts !== undefined ? 'gpu-watts' : 'gpu-type';
      }
      out.push({
        upstream: u.name,
        deployment: d.name,
        model: d.model,
        region: u.region ?? null,
        hourlyCostUsd: String(h.hourlyCostUsd),
        hourlyCostNanos: parseUsd(h.hourlyCostUsd),
        sinceMs: h.since ? Date.parse(h.since) : null,
        untilMs: h.until ? Date.parse(h.until) : null,
        watts,
        powerSource,
        gpus: h.gpus ? { count: h.gpus.count, type: h.gpus.type ?? null } : null,
        pue: h.pue ?? HOSTING_DEFAULT_PUE,
      });
    }),
  );
  return out;
}
