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
  // Totals per cut-off come back exact (bigint nanos and tokens). Cache hits used no upstream tokens.
  const rows = await store.usageTotalsSince(
    from,
    starts.map((s) => new Date(s)),
  );
  const totals = new Map<string, Totals>();
  const bump = (scope: ScopeKind, value: string | null, period: string, tokens: bigint, cost: bigint) => {
    if (value === null || value === '') return;
    const k = `${scope}\u0000${value}\u0000${period}`;
    const t = totals.get(k) ?? { tokens: 0n, cost: 0n };
    t.tokens += tokens;
    t.cost += cost;
    totals.set(k, t);
  };
  for (const r of rows) {
    PERIODS.forEach((p, i) => {
      const tokens = r.tokens[i] ?? 0n;
      const cost = r.costNanos[i] ?? 0n;
      if (tokens === 0n && cost === 0n) return;
      bump('key', r.keyId, p, tokens, cost);
      bump('team', r.team, p, tokens, cost);
      bump('app', r.app, p, tokens, cost);
    });
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
