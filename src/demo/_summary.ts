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

const big = (v: unknown) => BigInt(String(v ?? '0'));
const DEMO = "id LIKE 'demo-%'";

/** Summarises the demo usage in [fromMs, toMs). */
export async function summariseUsage(store: CostStore, fromMs: number, toMs: number): Promise<UsageSummary> {
  const w = [new Date(fromMs), new Date(toMs)];
  const where = `${DEMO} AND start_time >= $1 AND start_time < $2`;
  const money = 'sum(cost_nanos)::VARCHAR AS cost, sum(list_cost_nanos)::VARCHAR AS list';
  const [tot] = await store.query(`SELECT count(*) AS n, ${money} FROM usage_events WHERE ${where}`, w);
  const teams = await store.query(
    `SELECT team, count(*) AS n, ${money} FROM usage_events WHERE ${where} GROUP BY team ORDER BY sum(cost_nanos) DESC, team`,
    w,
  );
  const models = await store.query(
    `SELECT model, count(*) AS n, ${money} FROM usage_events WHERE ${where} GROUP BY model ORDER BY sum(cost_nanos) DESC, model`,
    w,
  );
  const days = Math.round((toMs - fromMs) / 86_400_000);
  const span = Math.min(7, Math.floor(days / 2));
  let topMovers: Mover[] = [];
  if (span > 0) {
    const mid = new Date(toMs - span * 86_400_000);
    const prev = new Date(toMs - 2 * span * 86_400_000);
    const rows = await store.query(
      `SELECT app, any_value(team) AS team,
         coalesce(sum(cost_nanos) FILTER (WHERE start_time < $2), 0)::VARCHAR AS prev,
         coalesce(sum(cost_nanos) FILTER (WHERE start_time >= $2), 0)::VARCHAR AS cur
       FROM usage_events WHERE ${DEMO} AND start_time >= $1 AND start_time < $3
       GROUP BY app ORDER BY app`,
      [prev, mid, new Date(toMs)],
    );
    topMovers = rows
      .map((r) => {
        const p = big(r['prev']);
        const c = big(r['cur']);
        return {
          app: String(r['app']),
          team: String(r['team']),
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
    events: Number(tot?.['n'] ?? 0),
    costNanos: big(tot?.['cost']),
    listCostNanos: big(tot?.['list']),
    byTeam: teams.map((r) => ({
      team: String(r['team']),
      events: Number(r['n']),
      costUsd: nanosToUsd(big(r['cost'])),
      listCostUsd: nanosToUsd(big(r['list'])),
    })),
    byModel: models.map((r) => ({
      model: String(r['model']),
      events: Number(r['n']),
      costUsd: nanosToUsd(big(r['cost'])),
    })),
    moverWindowDays: span,
    topMovers,
  };
}
