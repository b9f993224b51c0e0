/**
 * The gateway HTTP server (Node's http, no framework): endpoint dispatch, body validation, the pipeline, the
 * OpenAI-shaped error boundary, `/healthz`, `/metrics`, `/v1/models`, the admin API, and the drain on close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { TallyError, toOpenAIErrorBody, toTallyError, type TallyConfig } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import type { CostStore, VirtualKeyRecord } from '../store/index.js';
import { checkContentType, parseJsonBody, readBody } from './_body.js';
import { forwardToUpstream, isHeld } from './_forward.js';
import { Meter, unpricedTargets } from './_meter.js';
import { GatewayMetrics } from './_metrics.js';
import { buildContext, matchEndpoint, presentedKey, type Endpoint } from './_requests.js';
import { RouteTable } from './_route.js';
import { buildUpstreams, closeUpstreams } from './_upstreams.js';
import { embedTexts } from './_embed.js';
import { canReadMetrics, type MetricsAccess } from './_metrics-access.js';
import { configuredSecrets, Redactor } from './_redact.js';
import { capConnectionsPerClient } from './_connections.js';
import { policyAllowsModel } from './_gov-request.js';
import { resolveSecret } from './_secrets.js';
import { KeyResolver, createKey, keySpecSchema, keyView, revokeKey, rotateKey } from './keys.js';
import { parseUsageBy, parseWindow, usageReport } from './usage-report.js';
import {
  closeGovernance,
  initGovernance,
  runPipeline,
  type CachedResponse,
  type CoreStages,
  type GatewayServices,
  type RequestContext,
} from './pipeline.js';

/** What a gateway needs to run. */
export interface GatewayOptions {
  readonly config: TallyConfig;
  readonly store: CostStore;
  readonly ledger: Ledger;
  /** Token for /admin/* (Bearer or x-tally-admin-token). */
  readonly adminToken: string;
  readonly onError?: (err: unknown) => void;
}

/** A built (not yet listening) gateway. */
export interface Gateway {
  readonly server: Server;
  readonly metrics: GatewayMetrics;
  readonly keys: KeyResolver;
  /** Stops accepting, waits for in-flight requests (up to drainMs), makes every event durable, closes pools. */
  drain(): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  err: unknown,
  headers: Record<string, string> = {},
  redactor?: Redactor,
): void {
  const te = redactor ? redactor.error(err) : toTallyError(err);
  if (res.headersSent) {
    // Mid-stream failure: the status is gone; end the stream so the client sees it stop.
    res.destroy();
    return;
  }
  const h = { ...headers };
  const retry = te.details['retryAfterSeconds'];
  if (typeof retry === 'number') h['retry-after'] = String(Math.ceil(retry));
  const remaining = te.details['remainingTokens'];
  if (typeof remaining === 'number') h['x-ratelimit-remaining-tokens'] = String(remaining);
  // Internal errors say nothing about internals (no stack, no paths, no secrets).
  const safe = te.code === 'internal' ? new TallyError('internal', 'internal gateway error') : te;
  sendJson(res, te.httpStatus, toOpenAIErrorBody(safe), h);
}

/** Builds the gateway: upstream pools, routes, keys, meter, and the request handler. */
export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const gcfg = opts.config.gateway ?? {
    port: 8787,
    upstreams: [],
    routes: [],
    maxBodyBytes: 4 << 20,
    drainMs: 30_000,
    ack: 'durable' as const,
    timeouts: { connectMs: 5000, firstByteMs: 120_000, idleMs: 60_000 },
    server: {
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      maxConnectionsPerClient: 256,
    },
    trustProxy: false,
  };
  // Every log line and error body passes one redaction boundary (configured secrets, credential shapes).
  const redactor = new Redactor(configuredSecrets(opts.config, [opts.adminToken]));
  const report =
    opts.onError ?? ((e: unknown) => process.stderr.write(`tally gateway: ${toTallyError(e).message}\n`));
  const onError = (e: unknown): void => report(redactor.error(e));
  const upstreams = buildUpstreams(gcfg.upstreams, gcfg.timeouts);
  const routes = new RouteTable(gcfg, upstreams);
  const metrics = new GatewayMetrics();
  const keys = new KeyResolver(opts.store);
  // Acknowledged means durable (ADR 0015): an answer's last bytes wait for its event's WAL fdatasync.
  const durableAck = gcfg.ack === 'durable';
  const meter = new Meter(opts.config, opts.ledger, metrics, onError, redactor, durableAck);
  const unpriced = unpricedTargets(meter, routes.allTargets());
  if (unpriced.length > 0)
    process.stderr.write(
      `tally gateway: no catalog price for ${unpriced.join(', ')}; their requests are metered at $0\n`,
    );
  const services: GatewayServices = {
    config: opts.config,
    store: opts.store,
    now: Date.now,
    onError,
    governance: {},
    embed: async (model, input, ctx) => {
      const r = await embedTexts(upstreams, routes, model, input);
      if (ctx) meter.meterInternal(ctx, r.target, r.usage, 'semantic-cache');
      return r.vectors;
    },
    embedTarget: (model) => {
      try {
        return routes.resolve(model).targets[0];
      } catch {
        return undefined;
      }
    },
  };
  await initGovernance(services);
  const adminToken = Buffer.from(opts.adminToken);
  const metricsToken = gcfg.metrics?.token
    ? resolveSecret(gcfg.metrics.token, 'gateway.metrics.token')
    : null;
  const metricsAccess: MetricsAccess = {
    public: gcfg.metrics?.public ?? false,
    tokens: [adminToken, ...(metricsToken ? [Buffer.from(metricsToken)] : [])],
    trustProxy: gcfg.trustProxy,
  };

  const core: CoreStages = {
    authenticate(ctx) {
      const secret = presentedKey(ctx.req);
      const found = secret ? keys.resolveNow(secret) : null;
      const accept = (rec: VirtualKeyRecord | null): void => {
        if (!rec)
          throw new TallyError(
            'unauthorized',
            'invalid or missing API key (use Authorization: Bearer or api-key)',
          );
        ctx.key = rec;
      };
      if (found instanceof Promise) return found.then(accept);
      accept(found);
      return undefined;
    },
    route(ctx) {
      const allowed = ctx.key?.config['allowedModels'];
      const r = routes.resolve(ctx.requestModel, Array.isArray(allowed) ? (allowed as string[]) : undefined);
      ctx.targets = r.targets;
      ctx.maxAttempts = r.maxAttempts;
    },
    forward: (ctx) =>
      forwardToUpstream(ctx, {
        upstreams,
        price: (c, t, u) => meter.price(t, u, new Date(c.startTime)),
        estimatePartial: (c, t, text) => meter.estimatePartial(c, t, text),
        redact: (text) => redactor.text(text),
      }),
    // The head only: Node sends nothing before the body, which `meter` below ends the response with.
    serveCached(ctx, hit: CachedResponse) {
      ctx.res.writeHead(200, {
        ...ctx.responseHeaders,
        'content-type': hit.contentType,
        'content-length': String(hit.body.length),
        'x-tally-cache': hit.outcome,
        'x-tally-cost-usd': '0',
      });
    },
    meter(ctx, outcome, err) {
      const event = meter.meter(ctx, outcome, err);
      if (outcome) {
        const res = ctx.res;
        const finish = isHeld(outcome)
          ? (e?: Error) => outcome.finish(e)
          : 'outcome' in outcome
            ? (e?: Error) => (e ? res.destroy() : res.end(outcome.body))
            : null;
        if (finish && durableAck) meter.afterDurable(finish);
        else finish?.();
      }
      return event;
    },
  };

  function isAdmin(req: IncomingMessage): boolean {
    const h =
      req.headers['x-tally-admin-token'] ?? /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '')?.[1];
    if (typeof h !== 'string') return false;
    const b = Buffer.from(h);
    return b.length === adminToken.length && timingSafeEqual(b, adminToken);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, ep: Endpoint): Promise<void> {
    const start = Date.now();
    let ctx: RequestContext | null = null;
    try {
      checkContentType(req.headers['content-type']);
      const enc = req.headers['content-encoding'];
      // Compressed bodies are refused rather than inflated: no decompression bomb can get past the size cap.
      if (enc && enc.toLowerCase() !== 'identity')
        throw new TallyError(
          'unsupported_media_type',
          `Content-Encoding "${enc}" is not accepted; send plain JSON`,
        );
      const body = parseJsonBody(await readBody(req, gcfg.maxBodyBytes));
      ctx = buildContext(ep, body, req, res, services, start);
    } catch (err) {
      // Bad input is metered too (a ledger event with the error class), then answered; never a crash. It is
      // the tenant's when it came with a valid key, so a key cannot send junk that nobody is accountable for.
      const bad = buildContext(ep, { model: ep.deployment ?? 'unknown' }, req, res, services, start);
      const secret = presentedKey(req);
      bad.key = secret ? await keys.resolve(secret).catch(() => null) : null;
      core.meter(bad, null, err);
      if (toTallyError(err).code === 'payload_too_large') res.setHeader('connection', 'close');
      sendError(res, err, bad.responseHeaders, redactor);
      return;
    }
    try {
      await runPipeline(ctx, core);
    } catch (err) {
      sendError(res, err, ctx.responseHeaders, redactor);
    }
  }

  async function handleModels(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const secret = presentedKey(req);
    const rec = secret ? await keys.resolve(secret) : null;
    if (!rec) throw new TallyError('unauthorized', 'invalid or missing API key');
    const allowed = rec.config['allowedModels'];
    // Only what this key may call: its own allow-list and policy (environment allow/deny, restricted types).
    const names = routes
      .names(Array.isArray(allowed) ? (allowed as string[]) : undefined)
      .filter((n) => policyAllowsModel(opts.config, rec, n, routes.resolve(n).targets));
    sendJson(res, 200, {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tally' })),
    });
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isAdmin(req)) throw new TallyError('unauthorized', 'admin token required');
    if (url.pathname === '/admin/usage' && req.method === 'GET') {
      // Make every request answered before this one visible to the report: wait (2 s at most) until they are
      // metered, hand the meter's batch to the ledger, then flush the ledger into the store.
      await waitForEarlier(res, 2000);
      await meter.settled();
      await opts.ledger.flush();
      const by = parseUsageBy(url.searchParams.get('by') ?? undefined);
      const w = parseWindow(
        url.searchParams.get('from') ?? undefined,
        url.searchParams.get('to') ?? undefined,
      );
      sendJson(res, 200, await usageReport(opts.store, { by, ...w }));
      return;
    }
    if (url.pathname === '/admin/keys' && req.method === 'GET') {
      sendJson(res, 200, (await opts.store.listKeys()).map(keyView));
      return;
    }
    if (url.pathname === '/admin/keys' && req.method === 'POST') {
      const parsed = keySpecSchema.safeParse(parseJsonBody(await readBody(req, 65_536)));
      if (!parsed.success) throw new TallyError('invalid_input', `key spec: ${parsed.error.message}`);
      const { record, key } = await createKey(opts.store, parsed.data);
      keys.clear();
      sendJson(res, 200, { id: record.id, key, ...keyView(record) });
      return;
    }
    const km = /^\/admin\/keys\/([^/]+)\/(revoke|rotate)$/.exec(url.pathname);
    if (km && req.method === 'POST') {
      const id = decodeURIComponent(km[1]!);
      if (km[2] === 'revoke') {
        const rec = await revokeKey(opts.store, id);
        keys.clear();
        sendJson(res, 200, keyView(rec));
      } else {
        const { record, key, replaced } = await rotateKey(opts.store, id);
        keys.clear();
        sendJson(res, 200, { id: record.id, key, replaced, ...keyView(record) });
      }
      return;
    }
    if (url.pathname === '/admin/keys/reload' && req.method === 'POST') {
      keys.clear();
      sendJson(res, 200, { ok: true });
      return;
    }
    throw new TallyError('not_found', `no admin route ${req.method} ${url.pathname}`);
  }

  let draining = false;
  /** Requests not yet both answered and metered, so a report can wait for those that came before it. */
  const active = new Set<ServerResponse>();
  /** Reports waiting for the requests that were active when they arrived. */
  const waiters: { pending: Set<ServerResponse>; done: () => void }[] = [];
  function finish(res: ServerResponse): void {
    active.delete(res);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.pending.delete(res) && w.pending.size === 0) {
        waiters.splice(i, 1);
        w.done();
      }
    }
  }
  /** Resolves once every request active now (but `self`) is answered and metered, or after `maxMs`. */
  function waitForEarlier(self: ServerResponse, maxMs: number): Promise<void> {
    const pending = new Set([...active].filter((r) => r !== self));
    if (pending.size === 0) return Promise.resolve();
    return new Promise<void>((ok) => {
      const w = { pending, done: ok };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        ok();
      }, maxMs).unref();
    });
  }
  const sc = gcfg.server;
  const server = createServer(
    {
      // A client has requestTimeoutMs for its whole request (headers + body; slower gets 408) and
      // headersTimeoutMs for the headers (Node requires headers <= request). Node checks both on an interval,
      // at most a second here (its default of 30 s let a slow body hold a connection 30 s past its limit).
      requestTimeout: sc.requestTimeoutMs,
      headersTimeout: Math.min(sc.headersTimeoutMs, sc.requestTimeoutMs),
      keepAliveTimeout: sc.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(sc.requestTimeoutMs / 4))),
    },
    (req, res) => {
      // In flight until the response is closed AND the pipeline has metered it (the drain waits for both).
      metrics.inFlight++;
      active.add(res);
      let done = 0;
      const release = (): void => {
        if (++done === 2) {
          metrics.inFlight--;
          finish(res);
        }
      };
      res.once('close', release);
      // The path only (query ignored on the API: api-version is the upstream's, from config). Percent-encoding
      // is left as is, so `%2e`-style variants never match a route.
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
      const run = async (): Promise<void> => {
        if (draining) {
          res.setHeader('connection', 'close');
          throw new TallyError('unavailable', 'the gateway is shutting down; retry on another instance');
        }
        if (req.method === 'POST') {
          const ep = matchEndpoint(path);
          if (ep) return handleApi(req, res, ep);
        }
        if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
        if (req.method === 'GET' && path === '/metrics') {
          if (!canReadMetrics(metricsAccess, req.socket.remoteAddress, req.headers))
            throw new TallyError(
              'unauthorized',
              'metrics are private: scrape from this host, or send Authorization: Bearer <gateway.metrics.token>',
            );
          const text = metrics.render();
          res.writeHead(200, {
            'content-type': 'text/plain; version=0.0.4',
            'content-length': String(Buffer.byteLength(text)),
          });
          res.end(text);
          return;
        }
        if (
          req.method === 'GET' &&
          (path === '/v1/models' || path === '/openai/models' || path === '/openai/v1/models')
        )
          return handleModels(req, res);
        if (path.startsWith('/admin/')) return handleAdmin(req, res, new URL(raw, 'http://gateway'));
        throw new TallyError('not_found', `no route ${req.method} ${path}`);
      };
      run().then(release, (err: unknown) => {
        sendError(res, err, {}, redactor);
        release();
      });
    },
  );

  capConnectionsPerClient(server, sc.maxConnectionsPerClient);

  return {
    server,
    metrics,
    keys,
    async drain() {
      draining = true;
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeIdleConnections();
      const deadline = Date.now() + gcfg.drainMs;
      while (metrics.inFlight > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
      server.closeAllConnections();
      await closed;
      await meter.settled();
      await closeGovernance(services);
      await closeUpstreams(upstreams);
    },
  };
}
