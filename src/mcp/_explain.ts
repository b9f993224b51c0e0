/**
 * Why spend moved between two periods: a price-volume-mix decomposition per scope (team or app), over cells
 * of (scope, model) with a volume (requests) and an exact cost. Pure: rows in, exact nanos out.
 *
 * For the models a scope used in both periods (q = requests, c = cost, p0 = c0/q0):
 *   volume = (Q1 - Q0) x C0/Q0            more or fewer requests at the old average cost per request
 *   mix    = sum(q1 x p0) - C0 - volume   requests moved between cheaper and dearer models
 *   price  = (C1 - C0) - volume - mix     cost per request changed on the same model (rates, tokens per request)
 * Models (or whole scopes) only in the later period are `new`; only in the earlier one, `gone` (negative).
 * Each part is rounded to a nano once and price takes the rounding, so the parts add up exactly to the change.
 */
import { nanosToDecimalString, sumNanos, type Nanos } from '../core/index.js';

/** One (scope, model) cell of one period. */
export interface ChangeCell {
  readonly scope: string;
  readonly model: string;
  /** Requests (the volume unit). */
  readonly volume: bigint;
  readonly cost: Nanos;
}

/** How one scope's cost moved, in exact nanos. */
export interface ScopeChange {
  readonly scope: string;
  readonly status: 'changed' | 'new' | 'gone';
  readonly before: Nanos;
  readonly after: Nanos;
  readonly change: Nanos;
  readonly volumeBefore: bigint;
  readonly volumeAfter: bigint;
  readonly volumeEffect: Nanos;
  readonly mixEffect: Nanos;
  readonly priceEffect: Nanos;
  readonly newEffect: Nanos;
  readonly goneEffect: Nanos;
  /** Models that appeared or disappeared in this scope. */
  readonly newModels: readonly string[];
  readonly goneModels: readonly string[];
}

const div = (n: bigint, d: bigint): bigint => {
  // Rounded half away from zero.
  const q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < (d < 0n ? -d : d)) return q;
  return n < 0n !== d < 0n ? q - 1n : q + 1n;
};

function byScope(cells: readonly ChangeCell[]): Map<string, Map<string, { volume: bigint; cost: Nanos }>> {
  const out = new Map<string, Map<string, { volume: bigint; cost: Nanos }>>();
  for (const c of cells) {
    const models = out.get(c.scope) ?? new Map<string, { volume: bigint; cost: Nanos }>();
    const prev = models.get(c.model) ?? { volume: 0n, cost: 0n };
    models.set(c.model, { volume: prev.volume + c.volume, cost: prev.cost + c.cost });
    out.set(c.scope, models);
  }
  return out;
}

/** Decomposes each scope's change; sorted by the size of the change, largest first (ties by name). */
export function explainChange(before: readonly ChangeCell[], after: readonly ChangeCell[]): ScopeChange[] {
  const b = byScope(before);
  const a = byScope(after);
  const scopes = [...new Set([...b.keys(), ...a.keys()])];
  const out = scopes.map((scope): ScopeChange => {
    const m0 = b.get(scope) ?? new Map<string, { volume: bigint; cost: Nanos }>();
    const m1 = a.get(scope) ?? new Map<string, { volume: bigint; cost: Nanos }>();
    const models = [...new Set([...m0.keys(), ...m1.keys()])].sort();
    let q0 = 0n;
    let c0 = 0n;
    let q1 = 0n;
    let c1 = 0n;
    let q1AtOldPrice = 0n;
    let newEffect = 0n;
    let goneEffect = 0n;
    const newModels: string[] = [];
    const goneModels: string[] = [];
    for (const model of models) {
      const x = m0.get(model);
      const y = m1.get(model);
      // A model with no requests in a period has no price there: its cost counts as new or gone.
      if (x && y && x.volume > 0n && y.volume > 0n) {
        q0 += x.volume;
        c0 += x.cost;
        q1 += y.volume;
        c1 += y.cost;
        q1AtOldPrice += div(y.volume * x.cost, x.volume);
      } else {
        if (y && y.cost !== 0n) {
          newEffect += y.cost;
          if (!x || x.volume === 0n) newModels.push(model);
        }
        if (x && x.cost !== 0n) {
          goneEffect -= x.cost;
          if (!y || y.volume === 0n) goneModels.push(model);
        }
      }
    }
    const volumeEffect = q0 === 0n ? 0n : div((q1 - q0) * c0, q0);
    const mixEffect = q0 === 0n ? 0n : q1AtOldPrice - c0 - volumeEffect;
    const priceEffect = c1 - c0 - volumeEffect - mixEffect;
    const beforeTotal = sumNanos([...m0.values()].map((v) => v.cost));
    const afterTotal = sumNanos([...m1.values()].map((v) => v.cost));
    return {
      scope,
      status: !b.has(scope) ? 'new' : !a.has(scope) ? 'gone' : 'changed',
      before: beforeTotal,
      after: afterTotal,
      change: afterTotal - beforeTotal,
      volumeBefore: sumNanos([...m0.values()].map((v) => v.volume)),
      volumeAfter: sumNanos([...m1.values()].map((v) => v.volume)),
      volumeEffect,
      mixEffect,
      priceEffect,
      newEffect,
      goneEffect,
      newModels,
      goneModels,
    };
  });
  const abs = (n: bigint) => (n < 0n ? -n : n);
  return out.sort((x, y) =>
    abs(y.change) > abs(x.change) ? 1 : abs(y.change) < abs(x.change) ? -1 : x.scope.localeCompare(y.scope),
  );
}

/** A scope change as JSON: money as exact decimal strings (USD), volumes as numbers. */
export function scopeChangeJson(s: ScopeChange): Record<string, unknown> {
  const usd = nanosToDecimalString;
  return {
    scope: s.scope,
    status: s.status,
    beforeUsd: usd(s.before),
    afterUsd: usd(s.after),
    changeUsd: usd(s.change),
    requestsBefore: Number(s.volumeBefore),
    requestsAfter: Number(s.volumeAfter),
    volumeUsd: usd(s.volumeEffect),
    mixUsd: usd(s.mixEffect),
    priceUsd: usd(s.priceEffect),
    newUsd: usd(s.newEffect),
    goneUsd: usd(s.goneEffect),
    newModels: s.newModels,
    goneModels: s.goneModels,
  };
}
