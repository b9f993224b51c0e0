/**
 * The gateway HTTP server (Node's http, no framework): endpoint dispatch, body validation, the pipeline, the
 * OpenAI-shaped error boundary, `/healthz`, `/metrics`, `/v1/models`, the admin API, and the drain on close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TallyError, toTallyError, type TallyConfig } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import type { CostStore, VirtualKeyRecord } from '../store/index.js';
import { checkContentType, parseJsonBody, readBody } from './_body.js';
import { sendError, sendJson } from './_http.js';
import { usageHosting } from './usage-report.js';
import { createAdminHandler } from './_admin-api.js';
import { inProcessFetch } from './_in-process.js';
import { forwardToUpstream, isHeld, type ForwardDeps } from './_forward.js';
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
import { KeyResolver } from './keys.js';
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
  /** Salt of prompt-prefix fingerprints (none: not recorded). */
  readonly prefixSalt?: string | null;
  readonly onError?: (err: unknown) => void;
}

/** A built (not yet listening) gateway. */
export interface Gateway {
  readonly server: Server;
  readonly metrics: GatewayMetrics;
  readonly keys: KeyResolver;
  /**
   * Answers one request in-process, through the same server code a TCP client meets but over in-memory
   * connections (no port needed; the server need not be listening). For tests and embedding.
   */
  handle(request: Request): Promise<Response>;
  /** Stops accepting, waits for in-flight requests (up to drainMs), makes every event durable, closes pools. */
  drain(): Promise<void>;
}

/** One entry of the gateway's route table. */
interface Route {
  readonly method: 'GET' | 'POST' | '*';
  /** null when the path is not this route's; otherwise what `run` needs (the matched endpoint, say). */
  match(path: string): unknown;
  run(req: IncomingMessage, res: ServerResponse, matched: unknown, rawUrl: string): Promise<void> | void;
}

const exact =
  (...paths: string[]) =>
  (p: string): string | null =>
    paths.includes(p) ? p : null;

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
    promptFingerprints: false,
    flushIntervalMs: 1000,
    walWrites: 'pool',
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
  const meter = new Meter(
    opts.config,
    opts.ledger,
    metrics,
    onError,
    redactor,
    durableAck,
    opts.prefixSalt ?? null,
  );
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

  // Built once: a fresh object and three closures per request were garbage on the hot path.
  const forwardDeps: ForwardDeps = {
    upstreams,
    price: (c, t, u) => meter.price(t, u, new Date(c.startTime)),
    estimatePartial: (c, t, text) => meter.estimatePartial(c, t, text),
    redact: (text) => redactor.text(text),
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
    forward: (ctx) => forwardToUpstream(ctx, forwardDeps),
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
  const admin = createAdminHandler({
    adminToken,
    store: opts.store,
    ledger: opts.ledger,
    meter,
    keys,
    hosting: usageHosting(opts.config),
    waitForEarlier,
  });
  function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
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
  }
  /** Every route the gateway answers, first match wins; `match` returns null or what `run` needs. */
  const routeTable: readonly Route[] = [
    { method: 'POST', match: matchEndpoint, run: (req, res, ep) => handleApi(req, res, ep as Endpoint) },
    { method: 'GET', match: exact('/healthz'), run: (_q, res) => sendJson(res, 200, { status: 'ok' }) },
    { method: 'GET', match: exact('/metrics'), run: (req, res) => serveMetrics(req, res) },
    {
      method: 'GET',
      match: exact('/v1/models', '/openai/models', '/openai/v1/models'),
      run: (req, res) => handleModels(req, res),
    },
    {
      method: '*',
      match: (p) => (p.startsWith('/admin/') ? p : null),
      run: (req, res, _m, raw) => admin(req, res, new URL(raw, 'http://gateway')),
    },
  ];
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
        for (const r of routeTable) {
          if (r.method !== '*' && r.method !== req.method) continue;
          const m = r.match(path);
          if (m !== null) return r.run(req, res, m, raw);
        }
        throw new TallyError('not_found', `no route ${req.method} ${path}`);
      };
      run().then(release, (err: unknown) => {
        sendError(res, err, {}, redactor);
        release();
      });
    },
  );

  capConnectionsPerClient(server, sc.maxConnectionsPerClient);

  const local = inProcessFetch(server);
  return {
    server,
    metrics,
    keys,
    handle: local,
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
