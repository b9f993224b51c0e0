/**
 * Request-time policy: pure evaluation of the `policy` section of tally.yaml against one request.
 * No I/O, no clock: the gateway calls it after authentication and before limits, so a denied request
 * never reserves budget or reaches an upstream.
 */
import type { TallyConfig } from '../core/index.js';

/** The parsed `policy` section. */
export type PolicyConfig = NonNullable<TallyConfig['policy']>;

/** What policy needs to know about a request. */
export interface PolicyRequest {
  /** The key's environment (dev, prod...); null when the key has none. */
  readonly environment: string | null;
  /** Model names that identify the request: requested name, resolved dated id, family. */
  readonly modelNames: readonly string[];
  /** Deployment types of the route's candidate targets, in route order. */
  readonly deploymentTypes: readonly string[];
  /** Output tokens the request asks for (max_tokens / max_completion_tokens / max_output_tokens); null when unset. */
  readonly requestedMaxOutputTokens: number | null;
  /** Key tags merged with request tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** The key's own allow-list of models, if it has one. */
  readonly keyAllowedModels?: readonly string[] | null;
}

/** Allowed; the gateway must skip `excludedDeploymentTypes` when routing and may cap output tokens. */
export interface PolicyAllow {
  readonly allow: true;
  /** The effective output cap (tokens) from policy, or null when none applies. */
  readonly maxOutputTokens: number | null;
  /** Deployment types this request may not use (restricted types); route only to the others. */
  readonly excludedDeploymentTypes: readonly string[];
}

/** Denied, with the rule's config path (e.g. `policy.environments.dev.allowModels`) and a reason for people. */
export interface PolicyDeny {
  readonly allow: false;
  readonly rule: string;
  readonly reason: string;
  /** The request field at fault, for the OpenAI error `param`. */
  readonly param: string | null;
}

/** The outcome of evaluating policy. */
export type PolicyDecision = PolicyAllow | PolicyDeny;

const globCache = new Map<string, RegExp>();

/** True when `pattern` (exact name or `*` glob, case-insensitive) matches `name`. */
export function modelMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === name.toLowerCase();
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    globCache.set(pattern, re);
  }
  return re.test(name);
}

const anyMatch = (patterns: readonly string[], names: readonly string[]): boolean =>
  patterns.some((p) => names.some((n) => modelMatches(p, n)));

const deny = (rule: string, reason: string, param: string | null = null): PolicyDeny => ({
  allow: false,
  rule,
  reason: `${reason} (rule ${rule})`,
  param,
});

const hasTag = (tags: Readonly<Record<string, string>>, name: string): boolean =>
  Object.hasOwn(tags, name) && tags[name] !== '' && tags[name]?.toLowerCase() !== 'false';

/** Evaluates policy for one request. With no policy section everything is allowed. */
export function evaluatePolicy(policy: PolicyConfig | undefined, req: PolicyRequest): PolicyDecision {
  const model = req.modelNames[0] ?? '';
  if (
    req.keyAllowedModels &&
    req.keyAllowedModels.length > 0 &&
    !anyMatch(req.keyAllowedModels, req.modelNames)
  )
    return deny(
      'key.allowedModels',
      `model "${model}" is not allowed for this key; allowed: ${req.keyAllowedModels.join(', ')}`,
      'model',
    );
  if (!policy) return { allow: true, maxOutputTokens: null, excludedDeploymentTypes: [] };

  const envName = req.environment ?? '';
  const env = Object.hasOwn(policy.environments, envName) ? policy.environments[envName] : undefined;
  if (!env && policy.unknownEnvironment === 'deny')
    return deny(
      'policy.unknownEnvironment',
      `environment "${envName || '(none)'}" has no policy; known: ${Object.keys(policy.environments).join(', ')}`,
    );
  const envRule = `policy.environments.${envName}`;

  if (env?.allowModels && !anyMatch(env.allowModels, req.modelNames))
    return deny(
      `${envRule}.allowModels`,
      `model "${model}" is not allowed in environment "${envName}"; allowed: ${env.allowModels.join(', ')}`,
      'model',
    );
  if (env?.denyModels && anyMatch(env.denyModels, req.modelNames))
    return deny(`${envRule}.denyModels`, `model "${model}" is denied in environment "${envName}"`, 'model');

  for (const [rule, tags] of [
    ['policy.requiredTags', policy.requiredTags],
    [`${envRule}.requiredTags`, env?.requiredTags ?? []],
  ] as const) {
    const missing = tags.filter((t) => !hasTag(req.tags, t));
    if (missing.length > 0) return deny(rule, `missing required tag(s): ${missing.join(', ')}`);
  }

  // The tighter of the global and the environment cap applies.
  const caps = [policy.maxOutputTokens, env?.maxOutputTokens].filter((c): c is number => c !== undefined);
  const cap = caps.length > 0 ? Math.min(...caps) : null;
  if (cap !== null && req.requestedMaxOutputTokens !== null && req.requestedMaxOutputTokens > cap) {
    const rule = env?.maxOutputTokens === cap ? `${envRule}.maxOutputTokens` : 'policy.maxOutputTokens';
    return deny(
      rule,
      `max output tokens ${req.requestedMaxOutputTokens} exceeds the limit of ${cap}`,
      'max_tokens',
    );
  }

  const excluded = restrictedTypesFor(policy, envName, req.tags);
  if (req.deploymentTypes.length > 0 && req.deploymentTypes.every((t) => excluded.includes(t))) {
    const r = policy.restrictedDeployments!;
    const approval = r.approvalTag ? ` with tag "${r.approvalTag}"` : '';
    return deny(
      'policy.restrictedDeployments',
      `model "${model}" is served only by ${[...new Set(req.deploymentTypes)].join(', ')} deployments, ` +
        `allowed only in environment(s) ${r.environments.join(', ')}${approval}`,
      'model',
    );
  }
  return { allow: true, maxOutputTokens: cap, excludedDeploymentTypes: excluded };
}

/** Deployment types this environment + tag set may not use. */
function restrictedTypesFor(
  policy: PolicyConfig,
  env: string,
  tags: Readonly<Record<string, string>>,
): string[] {
  const r = policy.restrictedDeployments;
  if (!r) return [];
  const envOk = r.environments.includes(env);
  const approved = r.approvalTag === undefined || hasTag(tags, r.approvalTag);
  return envOk && approved ? [] : [...r.types];
}
