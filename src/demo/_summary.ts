/** The demo's closing summary: totals, spend by team and by model, and the apps that moved most week on week. */
import { nanosToUsd } from '../core/index.js';
import type { CostStore } from '../store/index.js';

/** Spend of one team. */
export interface TeamSpend {
  team: string;
  events: number;
  costUsd: number;
  listCostUsd: number;
}

/** Spend of one model. */
export interface ModelSpend {
  model: string;
  events: number;
  costUsd: number;
}

/** An app whose spend changed between the previous and the last window. */
export interface Mover {
  app: string;
  team: string;
  previousUsd: number;
  currentUsd: number;
  changeUsd: number;
  /** Percent change; null when the previous window had no spend. */
  changePct: number | null;
}

/** Totals and breakdowns of the demo usage. */
export interface UsageSummary {
  events: number;
  costNanos: bigint;
  listCostNanos: bigint;
  byTeam: TeamSpend[];
  byModel: ModelSpend[];
  /** Length of each comparison window in days (the last N days against the N before). */
  moverWindowDays: number;
  topMovers: Mover[];
}

const DEMO_PREFIX = 'demo-';

/** Summarises the demo usage in [fromMs, toMs). */
export async function summariseUsage(store: CostStore, fromMs: number, toMs: number): Promise<UsageSummary> {
  const w = { from: new Date(fromMs), to: new Date(toMs), idPrefix: DEMO_PREFIX };
  const [tot] = await store.aggregateUsage({ ...w, by: [] });
  const teams = await store.aggregateUsage({ ...w, by: ['team'] });
  const models = await store.aggregateUsage({ ...w, by: ['model'] });
  const days = Math.round((toMs - fromMs) / 86_400_000);
  const span = Math.min(7, Math.floor(days / 2));
  let topMovers: Mover[] = [];
  if (span > 0) {
    const mid = new Date(toMs - span * 86_400_000);
    const prev = new Date(toMs - 2 * span * 86_400_000);
    const before = await store.aggregateUsage({
      from: prev,
      to: mid,
      idPrefix: DEMO_PREFIX,
      by: ['app', 'team'],
    });
    const after = await store.aggregateUsage({
      from: mid,
      to: new Date(toMs),
      idPrefix: DEMO_PREFIX,
      by: ['app', 'team'],
    });
    const byApp = new Map<string, { app: string; team: string; prev: bigint; cur: bigint }>();
    const add = (a: (typeof before)[number], k: 'prev' | 'cur') => {
      const app = String(a.dims['app']);
      const m = byApp.get(app) ?? { app, team: String(a.dims['team']), prev: 0n, cur: 0n };
      m[k] += a.costNanos;
      byApp.set(app, m);
    };
    for (const a of before) add(a, 'prev');
    for (const a of after) add(a, 'cur');
    const rows = [...byApp.values()].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
    topMovers = rows
      .map((r) => {
        const p = r.prev;
        const c = r.cur;
        return {
          app: r.app,
          team: r.team,
          previousUsd: nanosToUsd(p),
          currentUsd: nanosToUsd(c),
          changeUsd: nanosToUsd(c - p),
          changePct: p === 0n ? null : Math.round(Number(((c - p) * 10_000n) / p)) / 100,
          abs: c > p ? c - p : p - c,
        };
      })
      .sort((a, b) => (b.abs > a.abs ? 1 : b.abs < a.abs ? -1 : a.app.localeCompare(b.app)))
      .slice(0, 5)
      .map(({ abs: _abs, ...m }) => m);
  }
  return {
    events: tot?.requests ?? 0,
    costNanos: tot?.costNanos ?? 0n,
    listCostNanos: tot?.listCostNanos ?? 0n,
    byTeam: teams.map((r) => ({
      team: String(r.dims['team']),
      events: r.requests,
      costUsd: nanosToUsd(r.costNanos),
      listCostUsd: nanosToUsd(r.listCostNanos),
    })),
    byModel: models.map((r) => ({
      model: String(r.dims['model']),
      events: r.requests,
      costUsd: nanosToUsd(r.costNanos),
    })),
    moverWindowDays: span,
    topMovers,
  };
}
