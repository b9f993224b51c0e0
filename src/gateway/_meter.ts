/**
 * Metering: one UsageEvent per request, priced with the catalog's effective prices, appended to the durable
 * ledger without blocking the response (the ledger batches; the hot path never writes the database), and
 * counted in the Prometheus metrics. Keys never reach an event: only the key id.
 */
import { toTallyError, type TallyConfig } from '../core/index.js';
import { countChatTokens, countTextTokens, priceUsage, resolveModel } from '../catalog/index.js';
import type { Ledger, UsageEvent } from '../ledger/index.js';
import { emptyUsage } from './_usage.js';
import type { GatewayMetrics } from './_metrics.js';
import { Redactor } from './_redact.js';
import { CACHEABLE_PREFIX_TOKENS, promptPrefixHash } from './_prefix.js';
import type {
  CachedResponse,
  CompletedResponse,
  Priced,
  RequestContext,
  RouteTarget,
  Usage,
} from './_context.js';

// With `ack: fast`, events wait at most 5 ms (or until 256 are ready) before going to the ledger together: at
// 2,000 req/s that is ~200 WAL fdatasyncs a second instead of one per request or two, which was most of the
// metering CPU, and a crash can lose these 5 ms plus the fdatasync still running. With `ack: durable` (the
// default) answers wait for their event, so the batch goes at the end of the event-loop turn instead: the
// WAL's group commit already gathers everything that arrives while one fdatasync runs (ADR 0015).
const BATCH_MS = 5;
const BATCH_MAX = 256;

/** Called once the event it was registered after is durable (no argument), or could not be made so. */
export type AfterDurable = (err?: Error) => void;

/** Meters requests into the ledger. */
export class Meter {
  private readonly resolved = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();
  private batch: UsageEvent[] = [];
  /** Callbacks waiting for the current batch to be durable (one array per batch, no promise per request). */
  private waiting: AfterDurable[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly handOverNow = (): void => this.handOver();

  constructor(
    private readonly config: TallyConfig,
    private readonly ledger: Ledger,
    private readonly metrics: GatewayMetrics,
    private readonly onError: (err: unknown) => void,
    private readonly redact: Redactor = new Redactor([]),
    /** Hand each batch over at the end of the event-loop turn (answers wait for it) rather than after 5 ms. */
    private readonly eager = false,
    /** Salt of the prompt-prefix fingerprints (kept in the store); none: no fingerprints are recorded. */
    private readonly prefixSalt: string | null = null,
  ) {}

  /** The salted fingerprint of a long prompt's first 1,024 tokens; metering never fails because of it. */
  private prefixHash(ctx: RequestContext, t: RouteTarget | null, usage: Usage | null): string | null {
    if (!this.prefixSalt || !t || !usage || usage.inputTokens < CACHEABLE_PREFIX_TOKENS) return null;
    try {
      return promptPrefixHash(ctx.operation, ctx.body, t.model, this.prefixSalt);
    } catch {
      return null;
    }
  }

  /** Runs `fn` once every event metered so far is durable (at once when none waits to be handed over). */
  afterDurable(fn: AfterDurable): void {
    if (this.batch.length === 0) fn();
    else this.waiting.push(fn);
  }

  /** The catalog id of a configured model name (the name itself when the catalog does not know it). */
  modelId(name: string): string {
    let id = this.resolved.get(name);
    if (id === undefined) {
      try {
        id = resolveModel(name).id;
      } catch {
        id = name;
      }
      this.resolved.set(name, id);
    }
    return id;
  }

  /** Prices a usage on a target; null when the catalog has no price for it. */
  price(target: RouteTarget, usage: Usage, at: Date): Priced | null {
    // A self-hosted deployment's tokens cost their share of its hours, priced at report time (ADR 0026): a
    // catalog price for the same model name (a hosted API's) would count them twice.
    if (target.hosted) return null;
    try {
      return priceUsage(
        {
          inputTokens: usage.inputTokens,
          cachedInputTokens: usage.cachedInputTokens,
          outputTokens: usage.outputTokens,
          reasoningTokens: usage.reasoningTokens,
        },
        {
          model: target.model,
          deployment: target.deploymentType,
          provider: target.kind,
          region: target.region ?? undefined,
          at,
        },
        this.config.pricing.discounts,
      );
    } catch {
      return null;
    }
  }

  /** Usage of a stream that ended early: the prompt counted exactly, the delivered text tokenized. */
  estimatePartial(ctx: RequestContext, target: RouteTarget, delivered: string): Usage {
    const model = this.modelId(target.model);
    let input = 0;
    try {
      const b = ctx.body;
      if (Array.isArray(b['messages']))
        input = countChatTokens(model, b['messages'], Array.isArray(b['tools']) ? b['tools'] : undefined);
      else if (b['input'] !== undefined)
        input = countTextTokens(
          model,
          typeof b['input'] === 'string' ? b['input'] : JSON.stringify(b['input']),
        );
    } catch {
      input = 0;
    }
    let output = 0;
    try {
      output = delivered ? countTextTokens(model, delivered) : 0;
    } catch {
      // ~4 characters per token when no tokenizer is known for a self-hosted model.
      output = Math.ceil(delivered.length / 4);
    }
    return {
      inputTokens: input,
      cachedInputTokens: 0,
      outputTokens: output,
      reasoningTokens: 0,
      source: 'partial',
    };
  }

  /** Builds, prices and appends the event for a finished request. */
  meter(ctx: RequestContext, outcome: CompletedResponse | CachedResponse | null, err: unknown): UsageEvent {
    const now = Date.now();
    const t = ctx.target ?? ctx.targets[0] ?? null;
    const te = err ? toTallyError(err) : null;
    const hit = outcome && 'outcome' in outcome ? outcome : null;
    // A cache hit consumed no upstream tokens: it records zero tokens and zero cost (so token shares used for
    // PTU allocation and reconciliation match what the upstream billed); its original cost is the saving.
    const served = outcome && !('outcome' in outcome) ? outcome : null;
    const usage = served ? served.usage : null;
    // The upstream stage priced the answer for its cost header: reuse that (priceUsage once per request).
    const priced =
      served?.priced !== undefined
        ? served.priced
        : usage && t
          ? this.price(t, usage, new Date(ctx.startTime))
          : null;
    const status = te ? te.httpStatus : outcome && 'status' in outcome ? outcome.status : 200;
    const key = ctx.key;
    // What a stranger or an unroutable request sends must not become a metrics label or a ledger value: such
    // events are labelled by class ("unknown" model, no end user). Strings a tenant sends are redacted.
    const requestModel = t && ctx.requestModel ? this.redact.text(ctx.requestModel) : 'unknown';
    const endUser = key ? this.redact.nullable(ctx.endUser) : null;
    // One literal with every field: the hot path. The tenant fields repeat meterFieldsOfTenant on purpose:
    // spreading that object in here put 9% of the gateway's CPU in this function, and 12% in GC.
    const e: UsageEvent = {
      keyId: key?.id ?? null,
      team: key?.team ?? null,
      app: key?.app ?? null,
      environment: key?.environment ?? null,
      costCenter: key?.costCenter ?? null,
      endUser,
      tags: ctx.requestTags ? this.withRequestTags(ctx.requestTags, key?.tags) : (key?.tags ?? {}),
      id: ctx.id,
      startTime: ctx.startTime,
      durationMs: now - ctx.startTime,
      ttftMs: served?.ttftMs ?? null,
      provider: t?.kind ?? 'unknown',
      upstream: t?.upstream ?? null,
      deployment: t?.deployment ?? null,
      requestModel,
      model: t ? this.modelId(t.model) : 'unknown',
      deploymentType: t?.deploymentType ?? 'global-standard',
      region: t?.region ?? null,
      operation: ctx.operation,
      streamed: ctx.stream,
      inputTokens: usage?.inputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      usageSource: usage?.source ?? 'reported',
      httpStatus: status,
      errorClass: te ? te.code : status >= 400 ? `upstream_${status}` : null,
      cacheOutcome: ctx.cacheOutcome,
      attempts: ctx.attempts,
      costNanos: priced?.costNanos ?? 0n,
      listCostNanos: priced?.listCostNanos ?? 0n,
      savedCostNanos: (hit?.savedCostNanos ?? 0n) + (ctx.gov.trimSavedNanos ?? 0n),
      priceVersion: priced?.priceVersion ?? null,
      promptPrefixHash: served ? this.prefixHash(ctx, t, usage) : null,
    };
    this.metrics.record(e);
    // The gateway's own share of an upstream-served request: everything but waiting on the upstream.
    if (served && ctx.attempts > 0)
      this.metrics.recordOverhead(performance.now() - ctx.startedAt - ctx.upstreamMs);
    this.enqueue(e);
    return e;
  }

  /**
   * Meters a call the gateway made for its own features on behalf of a request (the semantic cache's
   * embedding): the tenant whose request needed it pays for it, and the event is tagged `tally:purpose`.
   */
  meterInternal(ctx: RequestContext, t: RouteTarget, reported: Usage | null, purpose: string): UsageEvent {
    const usage = reported ?? emptyUsage('estimated');
    const priced = this.price(t, usage, new Date(ctx.startTime));
    const tenant = this.meterFieldsOfTenant(ctx);
    const e: UsageEvent = {
      ...tenant,
      id: `${ctx.id}-${purpose}`,
      startTime: Date.now(),
      durationMs: 0,
      ttftMs: null,
      tags: { ...tenant.tags, 'tally:purpose': purpose },
      provider: t.kind,
      upstream: t.upstream,
      deployment: t.deployment,
      requestModel: t.model,
      model: this.modelId(t.model),
      deploymentType: t.deploymentType,
      region: t.region,
      operation: 'embeddings',
      streamed: false,
      ...usageFields(usage),
      httpStatus: 200,
      errorClass: null,
      cacheOutcome: 'none',
      attempts: 1,
      costNanos: priced?.costNanos ?? 0n,
      listCostNanos: priced?.listCostNanos ?? 0n,
      savedCostNanos: 0n,
      priceVersion: priced?.priceVersion ?? null,
      promptPrefixHash: null,
    };
    this.metrics.record(e);
    this.enqueue(e);
    // Settled with the request's budget reservation (budgets count what the tenant's requests cost in all).
    ctx.gov.internalCostNanos = (ctx.gov.internalCostNanos ?? 0n) + e.costNanos;
    return e;
  }

  /** A request's own tags under the key's (the key wins), values through the redaction boundary like any string. */
  private withRequestTags(
    own: Readonly<Record<string, string>>,
    keyTags: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(own)) out[k] = this.redact.text(v);
    return { ...out, ...keyTags };
  }

  /** The tenant fields of a request's events (key, team, app, environment, cost center, end user, tags). */
  private meterFieldsOfTenant(ctx: RequestContext) {
    const key = ctx.key;
    return {
      keyId: key?.id ?? null,
      team: key?.team ?? null,
      app: key?.app ?? null,
      environment: key?.environment ?? null,
      costCenter: key?.costCenter ?? null,
      endUser: key ? this.redact.nullable(ctx.endUser) : null,
      tags: ctx.requestTags ? this.withRequestTags(ctx.requestTags, key?.tags) : (key?.tags ?? {}),
    };
  }

  private enqueue(e: UsageEvent): void {
    this.batch.push(e);
    // Eager batches are never handed over here, in the middle of a turn: the caller registers its afterDurable
    // callback right after this, and it must join the batch that holds its event.
    if (this.eager) this.immediate ??= setImmediate(this.handOverNow);
    else if (this.batch.length >= BATCH_MAX) this.handOver();
    else this.timer ??= setTimeout(this.handOverNow, BATCH_MS);
  }

  /** Appends the waiting events in one tick, so the WAL covers them with one group commit (one fdatasync). */
  private handOver(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.batch.length === 0) return;
    const events = this.batch;
    const waiting = this.waiting;
    this.batch = [];
    this.waiting = [];
    const p = this.ledger.appendMany(events).then(
      () => {
        for (const fn of waiting) fn();
      },
      (err: unknown) => {
        this.onError(err);
        for (const fn of waiting) fn(err as Error);
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every appended event is durable (used by the drain on SIGTERM). */
  async settled(): Promise<void> {
    this.handOver();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** A usage's token counts and source, as event fields. */
function usageFields(u: Usage) {
  return {
    inputTokens: u.inputTokens,
    cachedInputTokens: u.cachedInputTokens,
    outputTokens: u.outputTokens,
    reasoningTokens: u.reasoningTokens,
    usageSource: u.source,
  };
}

/**
 * Prices every target once at start: loads the catalog and the tokenizer before the first request (their
 * first use took ~100-200 ms on the event loop) and returns the targets the catalog cannot price, which are
 * metered at $0 (fine for self-hosted models; worth a warning otherwise).
 */
export function unpricedTargets(meter: Meter, targets: readonly RouteTarget[]): string[] {
  for (const t of targets)
    try {
      countTextTokens(meter.modelId(t.model), 'warm up');
    } catch {
      // no tokenizer for this model: partial streams fall back to ~4 characters per token
    }
  const probe: Usage = {
    inputTokens: 1,
    cachedInputTokens: 0,
    outputTokens: 1,
    reasoningTokens: 0,
    source: 'reported',
  };
  return targets
    .filter((t) => !t.hosted && !meter.price(t, probe, new Date()))
    .map((t) => `${t.upstream}/${t.deployment}`);
}
