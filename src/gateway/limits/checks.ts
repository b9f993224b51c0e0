/**
 * Which counters a request must fit under: the key's own limits (from `virtual_keys.config`) and the
 * team's and app's limits (from `gateway.limits`). Pure: no I/O, the clock is passed in.
 */
import { z } from 'zod';
import { parseUsd, TallyError, type TallyConfig } from '../../core/index.js';
import type { LimitCheck } from './limit-store.js';
import { periodWindow, type Period } from './_periods.js';

/** The parsed `gateway.limits` section. */
export type LimitsConfig = NonNullable<NonNullable<TallyConfig['gateway']>['limits']>;

const budgetSpec = z.object({
  usd: z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?$/)]),
  period: z.enum(['day', 'week', 'month']).default('month'),
  hard: z.boolean().default(true),
});
/** Limits as a virtual key carries them in its config JSON (extra keys such as allowedModels are ignored here). */
export const keyLimitSpecSchema = z.object({
  tpm: z.number().int().positive().optional(),
  quota: z
    .object({
      tokens: z.number().int().positive(),
      period: z.enum(['hour', 'day', 'week', 'month']).default('day'),
    })
    .optional(),
  budget: z.union([budgetSpec, z.array(budgetSpec)]).optional(),
});
/** One scope's limits. */
export type LimitSpec = z.infer<typeof keyLimitSpecSchema>;

/** Who is asking: the key and the team/app it belongs to. */
export interface LimitSubject {
  readonly keyId: string | null;
  readonly team: string | null;
  readonly app: string | null;
  /** The key's config JSON (tpm, quota, budget...). */
  readonly keyConfig: Record<string, unknown>;
}

/** A request's worst case: prompt tokens + the most output it may produce, priced at the dearest target. */
export interface WorstCase {
  readonly tokens: bigint;
  readonly costNanos: bigint;
}

/** Scope kinds counters are kept for. */
export type ScopeKind = 'key' | 'team' | 'app';

/** Counter id for a fixed-window counter. Scope values are URI-encoded so ':' in a name cannot collide. */
export function windowCounterId(
  kind: 'quota' | 'budget',
  scope: ScopeKind,
  value: string,
  period: Period,
  nowMs: number,
): { id: string; resetAt: number } {
  const w = periodWindow(period, nowMs);
  return { id: `${kind}:${scope}:${encodeURIComponent(value)}:${period}:${w.label}`, resetAt: w.end };
}

// Key records are cached by the key resolver, so each config object is parsed once, not once per request.
const parsedSpecs = new WeakMap<object, LimitSpec>();

/** Parses a key's limit config; an unreadable config refuses the key rather than silently lifting its limits. */
export function keyLimitSpec(config: Record<string, unknown>): LimitSpec {
  const cached = parsedSpecs.get(config);
  if (cached) return cached;
  const r = keyLimitSpecSchema.safeParse(config);
  if (r.success) {
    parsedSpecs.set(config, r.data);
    return r.data;
  }
  const issue = r.error.issues[0];
  throw new TallyError(
    'invalid_config',
    `this key's limits are not readable (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}); fix the key record`,
  );
}

/** A check with everything but the request's amount and window filled in; compiled once per scope's spec. */
interface CheckTemplate {
  /** Counter id, or its prefix before the window label for fixed windows. */
  readonly id: string;
  readonly kind: LimitCheck['kind'];
  readonly rule: string;
  readonly limit: bigint;
  readonly hard: boolean;
  /** Fixed-window period; null for the rate bucket. */
  readonly period: Period | null;
}

// Compiled per spec object (key configs are cached by the key resolver, config sections live for the
// gateway's life), so ids, rules and USD limits are built once, not per request.
const compiled = new WeakMap<LimitSpec, { scope: ScopeKind; value: string; checks: CheckTemplate[] }>();

function templatesOf(scope: ScopeKind, value: string, spec: LimitSpec, rulePrefix: string): CheckTemplate[] {
  const hit = compiled.get(spec);
  if (hit && hit.scope === scope && hit.value === value) return hit.checks;
  const enc = encodeURIComponent(value);
  const checks: CheckTemplate[] = [];
  if (spec.tpm !== undefined)
    checks.push({
      id: `rate:${scope}:${enc}`,
      kind: 'rate',
      rule: `${rulePrefix}.tpm`,
      limit: BigInt(spec.tpm),
      hard: true,
      period: null,
    });
  if (spec.quota)
    checks.push({
      id: `quota:${scope}:${enc}:${spec.quota.period}:`,
      kind: 'quota',
      rule: `${rulePrefix}.quota`,
      limit: BigInt(spec.quota.tokens),
      hard: true,
      period: spec.quota.period,
    });
  const budgets = spec.budget === undefined ? [] : Array.isArray(spec.budget) ? spec.budget : [spec.budget];
  for (const b of budgets)
    checks.push({
      id: `budget:${scope}:${enc}:${b.period}:`,
      kind: 'budget',
      rule: `${rulePrefix}.budget`,
      limit: parseUsd(b.usd),
      hard: b.hard,
      period: b.period,
    });
  compiled.set(spec, { scope, value, checks });
  return checks;
}

/** Every check for one request, key first, then team, then app. */
export function buildLimitChecks(
  cfg: LimitsConfig | undefined,
  subject: LimitSubject,
  worst: WorstCase,
  nowMs: number,
): LimitCheck[] {
  const checks: LimitCheck[] = [];
  const add = (scope: ScopeKind, value: string | null, spec: LimitSpec | undefined, rulePrefix: string) => {
    if (value === null || !spec) return;
    for (const t of templatesOf(scope, value, spec, rulePrefix)) {
      const w = t.period === null ? null : periodWindow(t.period, nowMs);
      checks.push({
        id: w ? t.id + w.label : t.id,
        kind: t.kind,
        rule: t.rule,
        limit: t.limit,
        amount: t.kind === 'budget' ? worst.costNanos : worst.tokens,
        hard: t.hard,
        resetAt: w ? w.end : nowMs + 60_000,
      });
    }
  };
  add('key', subject.keyId, keyLimitSpec(subject.keyConfig), 'key');
  const team = subject.team;
  if (team !== null && cfg && Object.hasOwn(cfg.teams, team))
    add('team', team, cfg.teams[team], `gateway.limits.teams.${team}`);
  const app = subject.app;
  if (app !== null && cfg && Object.hasOwn(cfg.apps, app))
    add('app', app, cfg.apps[app], `gateway.limits.apps.${app}`);
  return checks;
}
