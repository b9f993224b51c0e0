/**
 * Which rows explain an episode: each leaf (one combination of every dimension value) is compared with its own
 * baseline (median of the same calendar slots in up to 4 seasons before), and the leaves that carry two thirds
 * of the change are kept. The dimension values those leaves all share are the most specific scope that
 * explains the change (e.g. team=support, app=ticket-summariser, deployment=summarise-41-mini); two episodes
 * explained by the same leaves are the same event seen from two scopes.
 */
import { median, type SpendCell } from '../_series/index.js';

/** The most specific scope that explains a change, and the leaves behind it. */
export interface LeafExplanation {
  /** Dimension values every explaining leaf shares. */
  readonly dims: Readonly<Record<string, string>>;
  /** Keys of the explaining leaves (stable JSON of their dimension values). */
  readonly leaves: readonly string[];
}

const leafKey = (c: SpendCell) =>
  JSON.stringify(
    Object.keys(c.dims)
      .sort()
      .map((k) => [k, c.dims[k] ?? null]),
  );

/** Explains the change over `run` (bucket indices from `first`) by the leaves of `cells`. */
export function explainByLeaves(
  cells: readonly SpendCell[],
  run: readonly number[],
  o: { first: number; step: number; season: number; value: (c: SpendCell) => number },
): LeafExplanation {
  const inRun = new Set(run);
  const lagged = new Map<number, number>();
  for (const i of run)
    for (let k = 1; k <= 4; k++) if (i - k * o.season >= 0) lagged.set(i - k * o.season, k);
  const byLeaf = new Map<string, { dims: SpendCell['dims']; at: Map<number, number> }>();
  for (const c of cells) {
    const i = Math.floor((c.bucket - o.first) / o.step);
    if (!inRun.has(i) && !lagged.has(i)) continue;
    const key = leafKey(c);
    let e = byLeaf.get(key);
    if (!e) byLeaf.set(key, (e = { dims: c.dims, at: new Map() }));
    e.at.set(i, (e.at.get(i) ?? 0) + o.value(c));
  }
  const deltas: { key: string; dims: SpendCell['dims']; delta: number }[] = [];
  let total = 0;
  for (const [key, e] of byLeaf) {
    let delta = 0;
    for (const i of run) {
      const past: number[] = [];
      for (let k = 1; k <= 4; k++) if (i - k * o.season >= 0) past.push(e.at.get(i - k * o.season) ?? 0);
      delta += (e.at.get(i) ?? 0) - (past.length ? median(past) : 0);
    }
    deltas.push({ key, dims: e.dims, delta });
    total += delta;
  }
  if (total === 0 || deltas.length === 0) return { dims: {}, leaves: [] };
  const sign = Math.sign(total);
  deltas.sort((a, b) => sign * b.delta - sign * a.delta);
  const chosen: typeof deltas = [];
  let cum = 0;
  for (const d of deltas) {
    if (sign * d.delta <= 0 || chosen.length >= 25) break;
    chosen.push(d);
    cum += sign * d.delta;
    if (cum >= 0.67 * Math.abs(total)) break;
  }
  const dims: Record<string, string> = {};
  const first = chosen[0];
  if (first)
    for (const [k, v] of Object.entries(first.dims))
      if (v && chosen.every((c) => c.dims[k] === v)) dims[k] = v;
  return { dims, leaves: chosen.map((c) => c.key) };
}
