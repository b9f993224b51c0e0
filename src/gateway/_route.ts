/**
 * The route table: requested model (or Azure deployment name) → ordered deployments to try. Explicit routes
 * from config come first; every deployment is also reachable by its model and by its own name, so a config
 * with no routes still works. Unknown names get a 404 that lists what is allowed.
 */
import { TallyError, type TallyConfig } from '../core/index.js';
import { targetOf, type Upstream } from './_upstreams.js';
import type { RouteTarget } from './_context.js';

type GatewayConfig = NonNullable<TallyConfig['gateway']>;

/** One resolved route. */
export interface Route {
  readonly targets: readonly RouteTarget[];
  /** Attempts across targets, spillover included (never more than the targets). */
  readonly maxAttempts: number;
}

/** Requested name → route. */
export class RouteTable {
  private readonly routes = new Map<string, Route>();

  constructor(cfg: GatewayConfig, upstreams: Map<string, Upstream>) {
    for (const r of cfg.routes) {
      const targets = r.targets.map((t, i) => {
        const slash = t.indexOf('/');
        const up = upstreams.get(t.slice(0, slash));
        const dep = up?.cfg.deployments.find((d) => d.name === t.slice(slash + 1));
        if (!up || !dep)
          throw new TallyError(
            'invalid_config',
            `gateway.routes (${r.model}).targets[${i}]: no deployment "${t}"`,
            {
              field: `gateway.routes.${r.model}.targets`,
            },
          );
        return targetOf(up, dep);
      });
      this.routes.set(r.model, {
        targets,
        maxAttempts: Math.min(r.maxAttempts ?? targets.length, targets.length),
      });
    }
    const byModel = new Map<string, RouteTarget[]>();
    for (const up of upstreams.values())
      for (const d of up.cfg.deployments) {
        const t = targetOf(up, d);
        if (!this.routes.has(d.name) && !byModel.has(d.name))
          this.routes.set(d.name, { targets: [t], maxAttempts: 1 });
        const list = byModel.get(d.model) ?? [];
        list.push(t);
        byModel.set(d.model, list);
      }
    for (const [model, targets] of byModel)
      if (!this.routes.has(model)) this.routes.set(model, { targets, maxAttempts: targets.length });
  }

  /** Every distinct deployment any route can reach. */
  allTargets(): RouteTarget[] {
    const seen = new Map<string, RouteTarget>();
    for (const r of this.routes.values())
      for (const t of r.targets) seen.set(`${t.upstream}/${t.deployment}`, t);
    return [...seen.values()];
  }

  /** The names a client may ask for (optionally narrowed to a key's allowed models). */
  names(allowed?: readonly string[]): string[] {
    const all = [...this.routes.keys()].sort();
    return allowed ? all.filter((n) => allowed.includes(n)) : all;
  }

  /** Resolves a requested name; 404 listing the allowed names when unknown. */
  resolve(name: string, allowed?: readonly string[]): Route {
    const r = this.routes.get(name);
    if (!r || (allowed && !allowed.includes(name))) {
      const names = this.names(allowed);
      const msg = r
        ? `model "${name}" is not allowed for this key; allowed: ${names.join(', ') || 'none'}`
        : `model "${name}" is not served by this gateway; allowed: ${names.join(', ') || 'none'}`;
      throw new TallyError(r ? 'forbidden' : 'not_found', msg, { param: 'model', allowed: names });
    }
    return r;
  }
}
