/**
 * Hard budgets from the top-level `budgets` section (the ones `tally budgets status` reports) enforced at
 * request time: each `hard: true` budget on a team or an app with a day/week/month period becomes a budget
 * check of that scope, so the gateway refuses with 403 once reservations would pass the amount.
 */
import type { TallyConfig } from '../../core/index.js';
import type { LimitsConfig, LimitSpec } from './checks.js';

type Budgets = NonNullable<TallyConfig['budgets']>;
const GATEWAY_PERIODS = new Set(['day', 'week', 'month']);

/** `gateway.limits` with the hard team/app budgets of `budgets` added (a new object; inputs unchanged). */
export function withHardBudgets(
  cfg: LimitsConfig | undefined,
  budgets: Budgets | undefined,
): LimitsConfig | undefined {
  const hard = (budgets ?? []).filter(
    (b) => b.hard && (b.scope === 'team' || b.scope === 'app') && b.value && GATEWAY_PERIODS.has(b.period),
  );
  if (hard.length === 0) return cfg;
  const out: LimitsConfig = {
    reserveOutputTokens: cfg?.reserveOutputTokens ?? 4096,
    promptTokens: cfg?.promptTokens ?? 'upper-bound',
    ...(cfg?.redis ? { redis: cfg.redis } : {}),
    teams: { ...(cfg?.teams ?? {}) },
    apps: { ...(cfg?.apps ?? {}) },
  };
  for (const b of hard) {
    const table = b.scope === 'team' ? out.teams : out.apps;
    const value = b.value!;
    const prev: LimitSpec = table[value] ?? {};
    const list = prev.budget === undefined ? [] : Array.isArray(prev.budget) ? prev.budget : [prev.budget];
    table[value] = {
      ...prev,
      budget: [...list, { usd: b.amountUsd, period: b.period as 'day' | 'week' | 'month', hard: true }],
    };
  }
  return out;
}
