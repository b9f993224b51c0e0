/** Request shaping stages: policy (after routing, so served models and deployment types are known) and trimming. */
import { countChatTokens, resolveModel } from '../catalog/index.js';
import { evaluatePolicy, policyError } from '../policy/index.js';
import { trimMessages } from './_trim.js';
import { priceOn, requestedMaxOutput } from './_gov-state.js';
import type { DeploymentType } from '../ledger/index.js';
import type { VirtualKeyRecord } from '../store/index.js';
import type { RequestContext, RouteTarget } from './_context.js';

// ---- policy ----

const idCache = new Map<string, string[]>();
/** Names a configured or requested model is known by: itself, its dated id and its family. */
function namesOf(model: string): string[] {
  let names = idCache.get(model);
  if (!names) {
    names = [model];
    try {
      const r = resolveModel(model);
      names.push(r.id, r.family);
    } catch {
      // Not in the catalog (self-hosted, custom deployment name): matched by its own name only.
    }
    if (idCache.size > 10_000) idCache.clear();
    idCache.set(model, names);
  }
  return names;
}

// What policy matches on for a route's targets, built once per (targets list, requested name).
const routeFacts = new WeakMap<
  readonly RouteTarget[],
  Map<string, { modelNames: string[]; deploymentTypes: DeploymentType[] }>
>();

function factsOf(targets: readonly RouteTarget[], requestModel: string) {
  let byName = routeFacts.get(targets);
  if (!byName) routeFacts.set(targets, (byName = new Map()));
  let f = byName.get(requestModel);
  if (!f) {
    f = {
      modelNames: [...new Set([requestModel, ...targets.flatMap((t) => namesOf(t.model))])],
      deploymentTypes: targets.map((t) => t.deploymentType),
    };
    if (byName.size > 1000) byName.clear();
    byName.set(requestModel, f);
  }
  return f;
}

/** Policy, after routing so the served models and deployment types are known. Throws policy_denied (403). */
export function enforcePolicy(ctx: RequestContext): void {
  const key = ctx.key;
  const allowed = key?.config['allowedModels'];
  const policy = ctx.services.config.policy;
  // Nothing to decide: no policy section and no per-key model list.
  if (!policy && !Array.isArray(allowed)) return;
  const facts = factsOf(ctx.targets, ctx.requestModel);
  const decision = evaluatePolicy(policy, {
    environment: key?.environment ?? null,
    modelNames: facts.modelNames,
    deploymentTypes: facts.deploymentTypes,
    requestedMaxOutputTokens: requestedMaxOutput(ctx.body),
    // A request's own tags count for requiredTags; never for the approval tag (refused when parsed).
    tags: ctx.requestTags ? { ...ctx.requestTags, ...key?.tags } : (key?.tags ?? {}),
    keyAllowedModels: Array.isArray(allowed)
      ? allowed.filter((m): m is string => typeof m === 'string')
      : null,
  });
  if (!decision.allow) throw policyError(decision);
  if (decision.excludedDeploymentTypes.length > 0) {
    const keep = ctx.targets.filter((t) => !decision.excludedDeploymentTypes.includes(t.deploymentType));
    ctx.maxAttempts = Math.min(ctx.maxAttempts, keep.length);
    ctx.targets = keep;
  }
  // Enforce the cap on requests that set none (the field each API reads).
  if (decision.maxOutputTokens !== null && requestedMaxOutput(ctx.body) === null) {
    // OpenAI and Azure read max_completion_tokens (reasoning models reject max_tokens); self-hosted
    // OpenAI-compatible servers do not all know it yet, so they get max_tokens.
    const selfHosted = ctx.targets.every((t) => t.kind === 'openai-compatible');
    if (ctx.operation === 'chat')
      ctx.body[selfHosted ? 'max_tokens' : 'max_completion_tokens'] = decision.maxOutputTokens;
    else if (ctx.operation === 'responses') ctx.body['max_output_tokens'] = decision.maxOutputTokens;
  }
}

/** Whether policy lets a key use a model name served by `targets` (for listing models: no request yet). */
export function policyAllowsModel(
  config: RequestContext['services']['config'],
  key: VirtualKeyRecord,
  model: string,
  targets: readonly RouteTarget[],
): boolean {
  const allowed = key.config['allowedModels'];
  const facts = factsOf(targets, model);
  return evaluatePolicy(config.policy, {
    environment: key.environment ?? null,
    modelNames: facts.modelNames,
    deploymentTypes: facts.deploymentTypes,
    requestedMaxOutputTokens: null,
    tags: key.tags ?? {},
    keyAllowedModels: Array.isArray(allowed)
      ? allowed.filter((m): m is string => typeof m === 'string')
      : null,
  }).allow;
}

// ---- history trimming ----

/** Trims chat history when the route asks for it; records the prompt tokens (and cost) saved. */
export function trimRouteHistory(ctx: RequestContext): void {
  const route = ctx.services.config.gateway?.routes.find((r) => r.model === ctx.requestModel);
  const keep = route?.trimHistory?.keepTurns;
  const messages = ctx.body['messages'];
  if (!keep || !Array.isArray(messages)) return;
  const r = trimMessages(messages, keep);
  if (r.removed === 0) return;
  const target = ctx.targets[0];
  const model = target?.model ?? ctx.requestModel;
  // Count only what was removed (the reply priming, 3 tokens, is not part of it): cheaper than two full counts.
  const kept = new Set(r.messages);
  let saved = 0;
  try {
    saved = Math.max(
      0,
      countChatTokens(
        model,
        messages.filter((m) => !kept.has(m)),
      ) - 3,
    );
  } catch {
    saved = 0;
  }
  ctx.body['messages'] = r.messages;
  ctx.gov.trimmedTokens = saved;
  ctx.responseHeaders['x-tally-trimmed-tokens'] = String(saved);
  if (target && saved > 0)
    ctx.gov.trimSavedNanos = priceOn(ctx, target, { inputTokens: saved, outputTokens: 0 }) ?? 0n;
}
