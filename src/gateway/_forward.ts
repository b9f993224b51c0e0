/**
 * The upstream stage: sends the request to the route's deployments in order, spilling over to the next on
 * 429, 5xx or a connection failure (bounded by the route's maxAttempts; failed attempts are not billed, the
 * answer is metered once), then relays the answer. JSON answers are read whole so cost is known for the
 * `x-tally-cost-usd` header; streams are relayed event by event with the cost in a trailer.
 */
import { nanosToDecimalString, TallyError } from '../core/index.js';
import { SseRelay } from './_sse.js';
import { answerText, findUsage, emptyUsage, parseUsageObject } from './_usage.js';
import { scanTopLevelUsage } from './_usage-scan.js';
import type { Upstream } from './_upstreams.js';
import { callUpstream, type UpstreamResponse } from './_upstream-call.js';
import type { CompletedResponse, Priced, RequestContext, RouteTarget, Usage } from './_context.js';

/** What the upstream stage needs from the rest of the gateway. */
export interface ForwardDeps {
  readonly upstreams: Map<string, Upstream>;
  /** Prices a usage on a target (null when the catalog has no price). */
  price(ctx: RequestContext, target: RouteTarget, usage: Usage): Priced | null;
  /** Estimates usage of a stream that ended early: prompt counted, delivered text tokenized. */
  estimatePartial(ctx: RequestContext, target: RouteTarget, deliveredText: string): Usage;
  /** Removes configured secrets and credential-shaped strings from text relayed to the client. */
  redact(text: string): string;
}

const OPENAI_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'insufficient_quota',
  'server_error',
  'api_error',
]);
const typeForStatus = (status: number): string =>
  status === 401
    ? 'authentication_error'
    : status === 403
      ? 'permission_error'
      : status === 429
        ? 'rate_limit_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
// Codes and params are identifiers; anything else (free text, objects) is dropped rather than relayed.
const IDENT = /^[A-Za-z0-9_.[\]-]{1,64}$/;
const ident = (v: unknown): string | null =>
  (typeof v === 'string' || typeof v === 'number') && IDENT.test(String(v)) ? String(v) : null;

/** The OpenAI-shaped error relayed for an upstream's error answer: its fields, sanitised, nothing else. */
export function upstreamErrorBody(
  doc: unknown,
  status: number,
  target: RouteTarget,
  redact: (text: string) => string,
): { error: { message: string; type: string; code: string | null; param: string | null } } {
  const root = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const raw = root['error'];
  const e = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = typeof raw === 'string' ? raw : typeof e['message'] === 'string' ? e['message'] : null;
  const message = text ? redact(text.slice(0, 1000)) : `upstream ${target.upstream} answered HTTP ${status}`;
  const type =
    typeof e['type'] === 'string' && OPENAI_ERROR_TYPES.has(e['type']) ? e['type'] : typeForStatus(status);
  return { error: { message, type, code: ident(e['code']), param: ident(e['param']) } };
}

/**
 * A relayed answer but for its last bytes (a JSON body whole; a stream's `[DONE]` event, anything after it and
 * the chunked end with the cost trailer): `finish` sends them once the request's usage event is durable, so a
 * client never holds a complete answer that a kill -9 could leave unbilled (ADR 0015). With `err` (the event
 * could not be made durable) it cuts the connection instead.
 */
export interface HeldResponse extends CompletedResponse {
  finish(err?: Error): void;
}

/** Whether an outcome still has its last bytes to send. */
export function isHeld(o: object): o is HeldResponse {
  return typeof (o as Partial<HeldResponse>).finish === 'function';
}

// A stream event that carries generated text (chat content, a Responses API delta, tool-call arguments): the
// first one relayed marks the time to first token.
const CONTENT_RE = /"(?:content|delta|arguments|refusal)"\s*:\s*"[^"]/;

/** Upstream headers a client needs to back off, passed through on upstream errors. */
const UPSTREAM_LIMIT_HEADERS = [
  'retry-after',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-remaining-requests',
];

/** Sends ctx to its targets with spillover and relays the answer to ctx.res. */
export async function forwardToUpstream(ctx: RequestContext, deps: ForwardDeps): Promise<HeldResponse> {
  let lastErr: TallyError | null = null;
  for (let i = 0; i < ctx.maxAttempts; i++) {
    const target = ctx.targets[i]!;
    const up = deps.upstreams.get(target.upstream)!;
    ctx.target = target;
    ctx.attempts++;
    const last = i === ctx.maxAttempts - 1;
    let r: UpstreamResponse;
    const sent = performance.now();
    try {
      r = await send(ctx, up, target);
    } catch (err) {
      ctx.upstreamMs += performance.now() - sent;
      lastErr = networkError(err, target);
      if (!last) continue;
      throw lastErr;
    }
    const now = performance.now();
    ctx.upstreamMs += now - sent;
    if (!last && (r.statusCode === 429 || r.statusCode >= 500)) {
      // Spill over (the pattern Azure recommends for PTU): discard this answer; it was not billed.
      await r.discard().catch(() => undefined);
      continue;
    }
    const ct = String(r.headers['content-type'] ?? '');
    if (ctx.stream && r.statusCode < 300 && ct.includes('text/event-stream'))
      return relayStream(ctx, r, target, deps);
    // A JSON answer's tokens are all generated before its first byte: the time to first token it records is
    // the time to the upstream's response headers (generation plus network), not what a streaming user feels.
    return relayJson(ctx, r, target, deps, now - ctx.startedAt);
  }
  throw lastErr ?? new TallyError('unavailable', 'no upstream could be tried');
}

function send(ctx: RequestContext, up: Upstream, target: RouteTarget): Promise<UpstreamResponse> {
  const body = ctx.body;
  if (up.spec.modelInBody || ctx.operation === 'responses') body['model'] = target.deployment;
  if (ctx.stream && ctx.operation === 'chat' && !ctx.clientWantsUsage) {
    const so =
      typeof body['stream_options'] === 'object' && body['stream_options'] ? body['stream_options'] : {};
    body['stream_options'] = { ...so, include_usage: true };
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: ctx.stream ? 'text/event-stream' : 'application/json',
    'x-request-id': ctx.id,
  };
  const call = (auth: [string, string] | null): Promise<UpstreamResponse> => {
    if (auth) headers[auth[0]] = auth[1];
    return callUpstream(up.pool, {
      method: 'POST',
      path: up.path(ctx.operation, target.deployment),
      headers,
      body: JSON.stringify(body),
    });
  };
  // A static key needs no wait: no promise and no microtask hop between the stages and the upstream call.
  const auth = up.authHeader();
  return auth instanceof Promise ? auth.then(call) : call(auth);
}

function networkError(err: unknown, target: RouteTarget): TallyError {
  if (err instanceof TallyError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  )
    return new TallyError(
      'upstream_timeout',
      `upstream ${target.upstream} did not answer in time (${code})`,
      {
        upstream: target.upstream,
      },
    );
  return new TallyError(
    'upstream_error',
    `upstream ${target.upstream} failed: ${code || (err as Error).message}`,
    {
      upstream: target.upstream,
    },
  );
}

function parseOrNull(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return null;
  }
}

async function relayJson(
  ctx: RequestContext,
  r: UpstreamResponse,
  target: RouteTarget,
  deps: ForwardDeps,
  ttftMs: number,
): Promise<HeldResponse> {
  let buf: Buffer;
  const reading = performance.now();
  try {
    buf = await r.read();
  } catch (err) {
    throw networkError(err, target);
  } finally {
    ctx.upstreamMs += performance.now() - reading;
  }
  const ct = String(r.headers['content-type'] ?? '');
  const ok = r.statusCode < 300;
  const isJson = ct.includes('json');
  // A successful answer is relayed as the bytes it came as: only its top-level usage object is parsed.
  const scanned = ok && isJson ? scanTopLevelUsage(buf) : undefined;
  let doc: unknown = null;
  if (scanned === undefined && isJson)
    try {
      doc = JSON.parse(buf.toString('utf8'));
    } catch {
      doc = null;
    }
  if (scanned === undefined && (typeof doc !== 'object' || doc === null)) {
    // An HTML error page, a proxy's text, a truncated body: never passed through as if it were the API.
    throw new TallyError(
      'upstream_error',
      `upstream ${target.upstream} answered HTTP ${r.statusCode} with ${ct.split(';')[0] || 'no content type'} instead of JSON`,
      { upstream: target.upstream, upstreamStatus: r.statusCode },
    );
  }
  const found = !ok ? null : scanned !== undefined ? parseUsageObject(scanned) : findUsage(doc);
  // An answer without usage is not free: the prompt and the answer's text are counted and marked estimated.
  const usage =
    found ??
    (ok
      ? {
          ...deps.estimatePartial(ctx, target, answerText(doc ?? parseOrNull(buf))),
          source: 'estimated' as const,
        }
      : emptyUsage('reported'));
  const priced = ok ? deps.price(ctx, target, usage) : undefined;
  const cost = priced === undefined ? 0n : (priced?.costNanos ?? null);
  // The request's own header set is complete once the answer is here: add to it rather than copy it.
  const headers = ctx.responseHeaders;
  headers['content-type'] = 'application/json';
  if (cost !== null) headers['x-tally-cost-usd'] = nanosToDecimalString(cost);
  if (!ok)
    for (const h of UPSTREAM_LIMIT_HEADERS) if (r.headers[h] !== undefined) headers[h] = String(r.headers[h]);
  // Error bodies are never relayed raw (an upstream may echo the credential it was sent): rebuilt in
  // OpenAI's shape from the upstream's message (secrets redacted), type, code and param.
  if (!ok) buf = Buffer.from(JSON.stringify(upstreamErrorBody(doc, r.statusCode, target, deps.redact)));
  const body = buf;
  const res = ctx.res;
  return {
    status: r.statusCode,
    contentType: 'application/json',
    body,
    usage,
    costNanos: cost ?? 0n,
    ...(priced !== undefined ? { priced } : {}),
    ttftMs: ok ? ttftMs : null,
    finish(err) {
      if (res.destroyed) return;
      if (err) return void res.destroy();
      headers['content-length'] = String(body.length);
      res.writeHead(r.statusCode, headers);
      res.end(body);
    },
  };
}

async function relayStream(
  ctx: RequestContext,
  r: UpstreamResponse,
  target: RouteTarget,
  deps: ForwardDeps,
): Promise<HeldResponse> {
  const res = ctx.res;
  const relay = new SseRelay(ctx.operation === 'chat' && !ctx.clientWantsUsage);
  const decoder = new TextDecoder();
  const captured: string[] | null = ctx.gov.captureStream ? [] : null;
  let clientGone = res.destroyed;
  const onClose = (): void => {
    if (!res.writableFinished) {
      clientGone = true;
      r.destroy();
    }
  };
  res.once('close', onClose);
  res.writeHead(200, {
    ...ctx.responseHeaders,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    trailer: 'x-tally-cost-usd',
  });
  res.flushHeaders();
  let cut = false;
  let ttftMs: number | null = null;
  // `[DONE]` and whatever follows it wait in `held` for finish(): they tell the client the answer is complete.
  let held = '';
  // A relayed stream's whole life is the upstream's time (our per-event parsing is inside it, and small).
  const relaying = performance.now();
  const write = async (text: string): Promise<void> => {
    if (!text || clientGone) return;
    captured?.push(text);
    if (ttftMs === null && CONTENT_RE.test(text)) ttftMs = performance.now() - ctx.startedAt;
    if (relay.sawDone) held += text;
    else if (!res.write(text))
      await new Promise<void>((ok) => (res.once('drain', ok), res.once('close', ok)));
  };
  try {
    for await (const chunk of r.chunks()) {
      await write(relay.push(decoder.decode(chunk, { stream: true })));
      if (clientGone) break;
    }
  } catch {
    // Upstream reset or idle timeout mid-stream, or our own destroy after the client left.
    cut = !clientGone;
  }
  if (!clientGone) await write(relay.finish() + decoder.decode());
  res.off('close', onClose);
  ctx.upstreamMs += performance.now() - relaying;
  const ended = relay.sawDone || ctx.operation === 'responses';
  let usage: Usage;
  // Reported usage wins whenever it arrived, also when the stream was cut after its usage chunk.
  if (relay.usage) usage = relay.usage;
  else if (clientGone || cut || !ended) usage = deps.estimatePartial(ctx, target, relay.deliveredText());
  else usage = { ...deps.estimatePartial(ctx, target, relay.deliveredText()), source: 'estimated' };
  const priced = deps.price(ctx, target, usage);
  const cost = priced?.costNanos ?? null;
  return {
    status: 200,
    contentType: 'text/event-stream',
    body: captured && !cut && !clientGone ? Buffer.from(captured.join('')) : null,
    usage,
    costNanos: cost ?? 0n,
    priced,
    ttftMs,
    finish(err) {
      if (clientGone || res.destroyed) return;
      if (err) return void res.destroy();
      if (cost !== null) res.addTrailers({ 'x-tally-cost-usd': nanosToDecimalString(cost) });
      res.end(held);
    },
  };
}
