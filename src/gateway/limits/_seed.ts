/**
 * Restart recovery: budgets and quotas continue from what the store already holds for the current windows,
 * so a restart (or a new replica) does not hand out a fresh budget. Runs once at gateway start, after the
 * ledger has replayed its WAL into the store.
 */
import type { CostStore } from '../../store/index.js';
import type { LimitStore } from './limit-store.js';
import { PERIODS, periodWindow } from './_periods.js';
import { windowCounterId, type ScopeKind } from './checks.js';

interface Totals {
  tokens: bigint;
  cost: bigint;
}

/** Sums usage per key, team and app for the current hour/day/week/month and seeds the matching counters. */
export async function seedLimitsFromStore(
  store: CostStore,
  limits: LimitStore,
  nowMs: number,
): Promise<number> {
  const starts = PERIODS.map((p) => periodWindow(p, nowMs).start);
  const from = new Date(Math.min(...starts));
  // Sums are cast to VARCHAR so nano-USD totals stay exact past 2^53. Cache hits used no upstream tokens.
  const cols = PERIODS.map(
    (p, i) =>
      `CAST(SUM(CASE WHEN start_time >= $${i + 2} AND NOT starts_with(cache_outcome, 'hit') ` +
      `THEN input_tokens + output_tokens ELSE 0 END) AS VARCHAR) AS tok_${p}, ` +
      `CAST(SUM(CASE WHEN start_time >= $${i + 2} THEN cost_nanos ELSE 0 END) AS VARCHAR) AS cost_${p}`,
  ).join(', ');
  const rows = await store.query(
    `SELECT key_id, team, app, ${cols} FROM usage_events WHERE start_time >= $1 GROUP BY key_id, team, app`,
    [from, ...starts.map((s) => new Date(s))],
  );
  const totals = new Map<string, Totals>();
  const bump = (scope: ScopeKind, value: unknown, period: string, tokens: bigint, cost: bigint) => {
    if (typeof value !== 'string' || value === '') return;
    const k = `${scope}\u0000${value}\u0000${period}`;
    const t = totals.get(k) ?? { tokens: 0n, cost: 0n };
    t.tokens += tokens;
    t.cost += cost;
    totals.set(k, t);
  };
  for (const r of rows) {
    for (const p of PERIODS) {
      const tokens = BigInt(String(r[`tok_${p}`] ?? '0'));
      const cost = BigInt(String(r[`cost_${p}`] ?? '0'));
      if (tokens === 0n && cost === 0n) continue;
      bump('key', r['key_id'], p, tokens, cost);
      bump('team', r['team'], p, tokens, cost);
      bump('app', r['app'], p, tokens, cost);
    }
  }
  let seeded = 0;
  for (const [k, t] of totals) {
    const [scope, value, period] = k.split('\u0000') as [ScopeKind, string, (typeof PERIODS)[number]];
    const q = windowCounterId('quota', scope, value, period, nowMs);
    const b = windowCounterId('budget', scope, value, period, nowMs);
    await limits.seed(q.id, t.tokens, q.resetAt);
    await limits.seed(b.id, t.cost, b.resetAt);
    seeded += 2;
  }
  return seeded;
}
