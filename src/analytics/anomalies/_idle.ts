/**
 * Capacity that bills with no traffic: provisioned throughput (PTU) hours or fine-tuned model hosting billed in
 * the cost exports on days when nothing used it. Capacity rows (x_AiDeploymentType provisioned / fine-tune
 * hosting) are matched to traffic of the same family (and model, when the row names one): the gateway ledger's
 * usage when it has any, else the export's token rows on the same resource and model. Each idle run is ongoing
 * waste: cost per day and the running total until traffic returns or the billing stops.
 */
import { nanosToUsd } from '../../core/index.js';
import type { SpendCell } from '../_series/index.js';

/** One run of billed-but-idle capacity. */
export interface IdleCapacity {
  /** The billed resource (export ResourceName / ResourceId). */
  readonly resource: string;
  readonly model: string | null;
  /** The ledger deployment(s) whose traffic stopped (the last ones seen before the run), when known. */
  readonly deployments: readonly string[];
  readonly family: 'provisioned' | 'fine-tuned';
  readonly team: string | null;
  readonly app: string | null;
  /** First idle day and the day after the last one (ISO, UTC midnight). */
  readonly start: string;
  readonly end: string;
  /** Still idle on the newest day the export covers. */
  readonly ongoing: boolean;
  readonly days: number;
  /** Cost of the newest idle day, and the whole run's cost (USD). */
  readonly wastePerDayUsd: number;
  readonly totalUsd: number;
}

const DAY = 86_400_000;

/** Capacity family of a deployment type, or null for pay-per-token types. */
export function capacityFamily(deploymentType: string | null | undefined): IdleCapacity['family'] | null {
  const t = (deploymentType ?? '').toLowerCase();
  if (t === 'provisioned' || t === 'provisioned-managed' || t === 'ptu') return 'provisioned';
  if (t.includes('fine-tun')) return 'fine-tuned';
  return null;
}

/** A model name without its version date (gpt-4.1-mini-2025-04-14 -> gpt-4.1-mini). */
export function modelFamily(model: string | null | undefined): string {
  return (model ?? '').toLowerCase().replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/**
 * Finds idle runs that overlap [from, to) in daily cells (cost cells need `deployment`, `deploymentType`,
 * `model`; usage cells `deploymentType`, `model`). Runs shorter than `minDays` are ignored.
 */
export function findIdleCapacity(
  costCells: readonly SpendCell[],
  usageCells: readonly SpendCell[],
  o: { from: number; to: number; minDays?: number },
): IdleCapacity[] {
  const minDays = o.minDays ?? 1;
  const day = (ms: number) => Math.floor(ms / DAY) * DAY;
  const capacity = new Map<string, { cells: SpendCell[]; family: IdleCapacity['family'] }>();
  let lastExportDay = -Infinity;
  for (const c of costCells) {
    lastExportDay = Math.max(lastExportDay, day(c.bucket));
    const family = capacityFamily(c.dims['deploymentType']);
    if (!family || c.costNanos <= 0n) continue;
    const key = JSON.stringify([c.dims['deployment'] ?? '', modelFamily(c.dims['model']), family]);
    const e = capacity.get(key);
    if (e) e.cells.push(c);
    else capacity.set(key, { cells: [c], family });
  }
  const ledgerInUse = usageCells.length > 0;
  const out: IdleCapacity[] = [];
  for (const [key, { cells, family }] of capacity) {
    const [resource, model] = JSON.parse(key) as [string, string];
    const traffic = new Set<number>();
    const lastSeen = new Map<string, { day: number; team: string | null; app: string | null }>();
    if (ledgerInUse) {
      for (const u of usageCells)
        if (
          u.tokens > 0 &&
          capacityFamily(u.dims['deploymentType']) === family &&
          (!model || modelFamily(u.dims['model']) === model)
        ) {
          traffic.add(day(u.bucket));
          const name = u.dims['deployment'];
          if (name && (lastSeen.get(name)?.day ?? -Infinity) < day(u.bucket))
            lastSeen.set(name, {
              day: day(u.bucket),
              team: u.dims['team'] ?? null,
              app: u.dims['app'] ?? null,
            });
        }
    } else {
      for (const c of costCells)
        if (
          c.tokens > 0 &&
          (c.dims['deployment'] ?? '') === resource &&
          (!model || modelFamily(c.dims['model']) === model)
        )
          traffic.add(day(c.bucket));
    }
    const byDay = new Map<number, bigint>();
    for (const c of cells) byDay.set(day(c.bucket), (byDay.get(day(c.bucket)) ?? 0n) + c.costNanos);
    const days = [...byDay.keys()].sort((a, b) => a - b);
    // Idle only after traffic was seen once: capacity bought ahead of a launch is a plan, not waste.
    let seenTraffic = false;
    let run: number[] = [];
    const flush = () => {
      const firstDay = run[0];
      const lastDay = run[run.length - 1];
      if (firstDay !== undefined && lastDay !== undefined && run.length >= minDays) {
        if (firstDay < o.to && lastDay + DAY > o.from) {
          let total = 0n;
          for (const d of run) total += byDay.get(d) ?? 0n;
          const sample = cells[0]!;
          const stopped = [...lastSeen].filter(([, v]) => v.day === firstDay - DAY);
          const owner = stopped[0]?.[1];
          out.push({
            resource,
            model: model || null,
            deployments: stopped.map(([k]) => k).sort(),
            family,
            team: sample.dims['team'] ?? owner?.team ?? null,
            app: sample.dims['app'] ?? owner?.app ?? null,
            start: new Date(firstDay).toISOString(),
            end: new Date(lastDay + DAY).toISOString(),
            ongoing: lastDay >= lastExportDay,
            days: run.length,
            wastePerDayUsd: nanosToUsd(byDay.get(lastDay) ?? 0n),
            totalUsd: nanosToUsd(total),
          });
        }
      }
      run = [];
    };
    for (const d of days) {
      if (d >= o.to) break;
      if (traffic.has(d)) {
        seenTraffic = true;
        flush();
      } else if (seenTraffic) {
        if (run.length && d - run[run.length - 1]! > DAY) flush();
        run.push(d);
      }
    }
    flush();
  }
  return out;
}
