/**
 * Answers computed ahead, off the request path: after each scheduled pass the serving process runs the tools an
 * assistant most likely calls next ("last month": recommendations, chargeback, unit economics; the forecast)
 * into its report cache, as the organisation and as each active team-scoped user (the cache is per scope), so
 * the first question after a pass is a hit; and the recommendations of the two months before, whose inputs
 * any scope then reuses. Nothing is audited: no caller asked.
 */
import type { CostStore } from '../store/index.js';
import { teamScope, type Principal } from '../api/index.js';
import { contextFor, toolsFor, type ToolDeps } from './_call.js';

/** The tool calls seeded for a month. */
export function seedCalls(period: string): [string, Record<string, unknown>][] {
  return [
    ['get_recommendations', { period }],
    ['get_chargeback', { period }],
    ['get_unit_economics', { period }],
    // The forecast for the caller's default scope; its closed months stay in the worker's memo (ADR 0033), so
    // a forecast with any other scope or horizon reads them instead of allocating them again.
    ['get_forecast', {}],
  ];
}

/** At most this many team scopes are seeded per pass (each costs the reports' full time). */
const MAX_SCOPES = 8;
/**
 * Closed months before last month whose recommendations are computed too, as the organisation: their inputs
 * (about a second of ledger queries each) stay in the serving process's months memo (ADR 0040), so a question
 * about any of them, in any scope, only runs the rules.
 */
const EARLIER_MONTHS = 2;

/** Runs the seed calls for the month before `now` as the organisation and each distinct team scope. */
export async function seedToolAnswers(
  deps: ToolDeps & { readonly store: Pick<CostStore, 'appendAudit' | 'listUsers'> },
  now: Date,
): Promise<number> {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const period = d.toISOString().slice(0, 7);
  const principals: Principal[] = [{ kind: 'local', actor: 'system:warm' }];
  const seen = new Set<string>();
  for (const user of await deps.store.listUsers()) {
    const scope = user.status === 'active' ? teamScope({ kind: 'user', user }) : null;
    const key = scope ? JSON.stringify([...scope.teams].sort()) : null;
    if (!key || seen.has(key) || seen.size >= MAX_SCOPES) continue;
    seen.add(key);
    principals.push({ kind: 'user', user });
  }
  let n = 0;
  for (const principal of principals) {
    const mine = toolsFor(principal);
    for (const [name, args] of seedCalls(period)) {
      const tool = mine.find((t) => t.name === name);
      if (!tool) continue;
      try {
        await tool.run(tool.input.parse(args), contextFor(deps, principal));
        n++;
      } catch {
        // A report that cannot answer (no data for the month) is left for the caller to see.
      }
    }
  }
  const org = contextFor(deps, principals[0]!);
  const recommendations = toolsFor(principals[0]!).find((t) => t.name === 'get_recommendations');
  for (let back = 2; recommendations && back <= EARLIER_MONTHS + 1; back++) {
    const earlier = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    try {
      await recommendations.run(
        recommendations.input.parse({ period: earlier.toISOString().slice(0, 7) }),
        org,
      );
      n++;
    } catch {
      // No data that month.
    }
  }
  return n;
}
