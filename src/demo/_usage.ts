/**
 * Materialises the demo's usage events day by day from a rate model (growth x weekday x hour-of-day x noise,
 * plus incidents), prices each with the catalog, and streams them into the store in chunks so memory stays flat.
 */
import { createHash } from 'node:crypto';
import { priceUsage, resolveModel, type Discount } from '../catalog/index.js';
import type { UsageEvent } from '../ledger/index.js';
import type { CostStore } from '../store/index.js';
import { Prng } from './_prng.js';
import {
  ENVIRONMENTS,
  HOUR_WEIGHTS,
  STREAMS,
  accountOf,
  costCenterOf,
  deploymentNamed,
  type DemoStream,
} from './_org.js';
import { overlaps, type IncidentPlan } from './_incidents.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What the incidents did, measured while generating (ground truth for the kv record). */
export interface IncidentStats {
  /** Ordinary requests in the incident's scope and window. */
  baseRequests: number;
  extraRequests: number;
  extraCostNanos: bigint;
  /** Input tokens of all requests in scope inside / outside the window (for per-request factors). */
  windowInput: number;
  windowRequests: number;
  outsideInput: number;
  outsideRequests: number;
}

/** Result of the usage generation. */
export interface UsageResult {
  events: number;
  /** Successful prod requests per "dayIndex|app", for the KPI series. */
  prodRequests: Map<string, number>;
  incidents: Map<string, IncidentStats>;
}

/** Options for generateUsage. */
export interface UsageOptions {
  readonly store: CostStore;
  readonly startMs: number;
  readonly days: number;
  readonly seed: number;
  readonly incidents: readonly IncidentPlan[];
  readonly discounts: readonly Discount[];
  /** Events per appendUsage call. */
  readonly chunk: number;
  readonly onDay?: (done: number) => void;
}

/** A PRNG for one (seed, day, stream, environment): streams stay stable when another stream changes. */
function prngFor(seed: number, ...parts: number[]): Prng {
  let h = seed >>> 0;
  for (const p of parts) h = Math.imul(h ^ (p + 0x9e3779b9), 0x01000193) >>> 0;
  return new Prng(h);
}

function cdf(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    out[i] = acc;
  });
  return out;
}

const HOUR_CDF = Object.fromEntries(Object.entries(HOUR_WEIGHTS).map(([k, w]) => [k, cdf(w)])) as Record<
  DemoStream['hours'],
  Float64Array
>;

function sampleHour(c: Float64Array, u: number): number {
  for (let h = 0; h < 24; h++) if (u < c[h]!) return h;
  return 23;
}

const EMPTY_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;

interface Target {
  stream: DemoStream;
  env: string;
  deployment: string;
  account: string;
  type: UsageEvent['deploymentType'];
  requestModel: string;
  model: string;
  keyId: string;
  costCenter: string;
}

function targetFor(stream: DemoStream, env: string, deploymentName: string): Target {
  const dep = deploymentNamed(deploymentName);
  return {
    stream,
    env,
    deployment: dep.name,
    account: accountOf(dep, env),
    type: dep.type,
    requestModel: dep.model,
    model: resolveModel(dep.model).id,
    keyId: `vk-${stream.app}-${env}`,
    costCenter: costCenterOf(stream.team),
  };
}

function inScope(p: IncidentPlan, t: Target): boolean {
  return p.scope.team === t.stream.team && p.scope.app === t.stream.app && p.scope.environment === t.env;
}

/** Generates, prices and stores every demo usage event. */
export async function generateUsage(o: UsageOptions): Promise<UsageResult> {
  const stats = new Map<string, IncidentStats>(
    o.incidents.map((p) => [
      p.id,
      {
        baseRequests: 0,
        extraRequests: 0,
        extraCostNanos: 0n,
        windowInput: 0,
        windowRequests: 0,
        outsideInput: 0,
        outsideRequests: 0,
      },
    ]),
  );
  const byKind = (k: IncidentPlan['kind']) => o.incidents.find((p) => p.kind === k);
  const retry = byKind('retry-loop');
  const growth = byKind('prompt-growth');
  const idle = byKind('idle-fine-tuned-deployment');
  const spike = byKind('team-spike');
  const prodRequests = new Map<string, number>();
  let buffer: UsageEvent[] = [];
  let events = 0;

  // One chunk is stored while the next is generated: the store's insert runs in DuckDB's threads, so awaiting
  // it before generating more would leave the JS thread idle. At most two chunks are in memory.
  let inFlight: Promise<number> | null = null;
  const flush = async () => {
    if (inFlight) events += await inFlight;
    inFlight = null;
    if (buffer.length === 0) return;
    inFlight = o.store.appendUsage(buffer);
    buffer = [];
    // Yield once so the store starts on this chunk before generation resumes.
    await new Promise((r) => setImmediate(r));
  };

  for (let d = 0; d < o.days; d++) {
    const dayStart = o.startMs + d * DAY;
    const dow = new Date(dayStart).getUTCDay();
    const weekend = dow === 0 || dow === 6;
    const at = new Date(dayStart + DAY / 2);
    const emit = (
      t: Target,
      rng: Prng,
      id: string,
      ts: number,
      shape: EventShape,
      incident: IncidentPlan | undefined,
      extra: boolean,
    ) => {
      const e = makeEvent(t, rng, id, ts, shape, at, o.discounts);
      buffer.push(e);
      const ok = e.httpStatus < 400;
      if (ok && t.env === 'prod') {
        const k = `${d}|${t.stream.app}`;
        prodRequests.set(k, (prodRequests.get(k) ?? 0) + 1);
      }
      for (const p of o.incidents) {
        if (!inScope(p, t) || !ok) continue;
        const st = stats.get(p.id)!;
        const inside = ts >= p.startMs && ts < p.endMs;
        if (inside) {
          st.windowInput += e.inputTokens;
          st.windowRequests += 1;
          if (!extra) st.baseRequests += 1;
        } else {
          st.outsideInput += e.inputTokens;
          st.outsideRequests += 1;
        }
      }
      if (incident && ok) {
        const st = stats.get(incident.id)!;
        if (extra) {
          st.extraRequests += 1;
          st.extraCostNanos += e.costNanos;
        } else if (shape.baseInput !== undefined) {
          // Prompt growth: the incident's cost is what this request cost above the trimmed prompt it should have sent.
          const base = priceUsage(
            {
              inputTokens: shape.baseInput,
              cachedInputTokens: shape.baseCached ?? 0,
              outputTokens: e.outputTokens,
              reasoningTokens: e.reasoningTokens,
            },
            { model: t.model, deployment: t.type, provider: 'azure', at },
            o.discounts,
          );
          st.extraCostNanos += e.costNanos - base.costNanos;
        }
      }
    };

    for (let si = 0; si < STREAMS.length; si++) {
      const stream = STREAMS[si]!;
      for (let ei = 0; ei < ENVIRONMENTS.length; ei++) {
        const env = ENVIRONMENTS[ei]!;
        const rng = prngFor(o.seed, d, si, ei);
        let depName =
          env.name !== 'prod' && stream.nonProdDeployment ? stream.nonProdDeployment : stream.deployment;
        const t0 = targetFor(stream, env.name, depName);
        if (idle && inScope(idle, t0) && dayStart >= idle.startMs && stream.nonProdDeployment)
          depName = stream.nonProdDeployment;
        const t = depName === t0.deployment ? t0 : targetFor(stream, env.name, depName);
        const lambda =
          stream.perDay *
          env.factor *
          Math.exp(stream.growth * d) *
          (weekend ? stream.weekend : 1) *
          Math.max(0.5, 1 + 0.08 * rng.normal());
        const n = rng.poisson(lambda);
        const spiking = spike && inScope(spike, t) && overlaps(spike, dayStart, DAY);
        const nExtra = spiking ? rng.poisson(lambda * (spike.intensity - 1)) : 0;
        const growing = growth && inScope(growth, t) ? growth : undefined;
        for (let i = 0; i < n + nExtra; i++) {
          const ts =
            dayStart + sampleHour(HOUR_CDF[stream.hours], rng.next()) * HOUR + Math.floor(rng.next() * HOUR);
          const shape = shapeOf(stream, rng);
          let incident: IncidentPlan | undefined;
          if (i >= n) incident = spike;
          else if (growing && ts >= growing.startMs && ts < growing.endMs) {
            incident = growing;
            grow(shape, rng, growing.intensity);
          }
          emit(t, rng, `demo-${d}-${si}-${ei}-${i}`, ts, shape, incident, i >= n);
        }
        if (buffer.length >= o.chunk) await flush();
        // Let the store's queued work (appender, insert) proceed between streams.
        else if (inFlight) await new Promise((r) => setImmediate(r));
      }
    }

    if (retry && overlaps(retry, dayStart, DAY)) {
      // The retry loop: one stuck request re-sent `intensity` times an hour, identical prompt every time.
      const si = STREAMS.findIndex((x) => x.app === retry.scope.app);
      const stream = STREAMS[si]!;
      const t = targetFor(stream, retry.scope.environment, retry.scope.deployment ?? stream.deployment);
      const rng = prngFor(o.seed, d, si, 99);
      const stuck = shapeOf(stream, rng);
      const hours = Math.round((retry.endMs - retry.startMs) / HOUR);
      for (let i = 0; i < retry.intensity * hours; i++) {
        const ts = retry.startMs + Math.floor(rng.next() * (retry.endMs - retry.startMs));
        emit(
          t,
          rng,
          `demo-${d}-retry-${i}`,
          ts,
          { ...stuck, output: Math.max(1, Math.round(stuck.output * (0.9 + 0.2 * rng.next()))) },
          retry,
          true,
        );
      }
    }
    if (buffer.length >= o.chunk) await flush();
    o.onDay?.(d + 1);
  }
  await flush();
  await flush();
  return { events, prodRequests, incidents: stats };
}

interface EventShape {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  /** Set when an incident inflated the prompt: what it would have been. */
  baseInput?: number;
  baseCached?: number;
}

function shapeOf(s: DemoStream, rng: Prng): EventShape {
  const input = Math.max(8, Math.round(rng.lognormal(s.input, s.inputCv)));
  // Azure caches prompts of 1,024+ tokens in 128-token blocks.
  const cached =
    input >= 1024 ? Math.min(input, Math.floor((input * s.cachedShare * (0.5 + rng.next())) / 128) * 128) : 0;
  const output = s.output === 0 ? 0 : Math.max(1, Math.round(rng.lognormal(s.output, s.outputCv)));
  const reasoning = Math.min(output, Math.round(output * s.reasoningShare * (0.7 + 0.6 * rng.next())));
  return { input, cached, output, reasoning };
}

function grow(shape: EventShape, rng: Prng, perTurn: number): void {
  shape.baseInput = shape.input;
  shape.baseCached = shape.cached;
  const turn = 1 + rng.int(10);
  shape.input += turn * perTurn;
  // The whole history changes shape every turn, so the prompt cache mostly misses.
  shape.cached = Math.min(shape.cached, 128 * rng.int(3));
}

function makeEvent(
  t: Target,
  rng: Prng,
  id: string,
  ts: number,
  sh: EventShape,
  at: Date,
  discounts: readonly Discount[],
): UsageEvent {
  const s = t.stream;
  // 0.4 % of calls fail (throttled or upstream errors): no tokens, no cost.
  const failed = rng.next() < 0.004;
  const streamed = rng.next() < s.streamedShare;
  const output = failed ? 0 : sh.output;
  const priced = failed
    ? null
    : priceUsage(
        {
          inputTokens: sh.input,
          cachedInputTokens: sh.cached,
          outputTokens: output,
          reasoningTokens: sh.reasoning,
        },
        { model: t.model, deployment: t.type, provider: 'azure', at },
        discounts,
      );
  const duration = failed
    ? 40 + rng.int(200)
    : Math.round(250 + output * 12 * (0.7 + 0.6 * rng.next()) + sh.input * 0.02);
  return {
    id,
    startTime: ts,
    durationMs: duration,
    ttftMs: streamed && !failed ? Math.round(180 + sh.input * 0.03 * (0.5 + rng.next())) : null,
    keyId: t.keyId,
    team: s.team,
    app: s.app,
    environment: t.env,
    costCenter: t.costCenter,
    endUser: s.endUsers > 0 ? `u${rng.int(s.endUsers)}` : null,
    tags: EMPTY_TAGS,
    provider: 'azure-openai',
    upstream: t.account,
    deployment: t.deployment,
    requestModel: t.requestModel,
    model: t.model,
    deploymentType: t.type,
    region: 'eastus2',
    operation: s.operation,
    streamed,
    inputTokens: failed ? 0 : sh.input,
    cachedInputTokens: failed ? 0 : sh.cached,
    outputTokens: output,
    reasoningTokens: failed ? 0 : sh.reasoning,
    usageSource: 'reported',
    httpStatus: failed ? (rng.next() < 0.7 ? 429 : 500) : 200,
    errorClass: failed ? 'upstream_error' : null,
    cacheOutcome: 'none',
    attempts: 1,
    costNanos: priced?.costNanos ?? 0n,
    listCostNanos: priced?.listCostNanos ?? 0n,
    savedCostNanos: 0n,
    priceVersion: priced?.priceVersion ?? null,
    // A long prompt starts with one of a few fixed prefixes per app (its system prompt and tools), as the
    // gateway fingerprints them.
    promptPrefixHash: !failed && sh.input >= 1024 ? demoPrefix(s.app, ts % 3) : null,
  };
}

const prefixes = new Map<string, string>();
/** A stable stand-in for the gateway's salted prefix fingerprint: variant `i` of an app's prompt prefix. */
function demoPrefix(app: string, i: number): string {
  const k = `${app}#${i}`;
  let h = prefixes.get(k);
  if (!h) {
    h = createHash('sha256').update(`tally-demo-prefix:${k}`).digest('hex').slice(0, 32);
    prefixes.set(k, h);
  }
  return h;
}
