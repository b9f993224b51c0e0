/**
 * Configured upstreams: one undici Pool per upstream origin (keep-alive, bounded connections, no redirects
 * followed), the request path and auth headers from the provider table, and Entra ID tokens cached until
 * five minutes before they expire. The host always comes from config, never from a request.
 */
import { Pool } from 'undici';
import { TallyError, type TallyConfig } from '../core/index.js';
import { PROVIDERS, type ProviderSpec } from './_providers.js';
import { resolveSecret } from './_secrets.js';
import type { Operation, RouteTarget } from './_context.js';

type UpstreamConfig = NonNullable<TallyConfig['gateway']>['upstreams'][number];
type Timeouts = NonNullable<TallyConfig['gateway']>['timeouts'];

/** One configured upstream, ready to call. */
export class Upstream {
  readonly pool: Pool;
  readonly spec: ProviderSpec;
  private readonly prefix: string;
  private readonly staticAuth: [string, string] | null;
  private entraToken: { value: string; refreshAt: number } | null = null;
  private entraPending: Promise<string> | null = null;

  constructor(
    readonly cfg: UpstreamConfig,
    timeouts: Timeouts,
  ) {
    this.spec = PROVIDERS[cfg.kind];
    const url = new URL(cfg.baseUrl);
    const base = url.pathname.replace(/\/+$/, '');
    this.prefix =
      this.spec.versionPrefix && base.endsWith(this.spec.versionPrefix)
        ? base
        : base + this.spec.versionPrefix;
    this.pool = new Pool(url.origin, {
      connections: cfg.maxConnections,
      connectTimeout: timeouts.connectMs,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
      keepAliveTimeout: 30_000,
    });
    const key = cfg.apiKey ? resolveSecret(cfg.apiKey, `gateway.upstreams.${cfg.name}.apiKey`) : null;
    this.staticAuth = key
      ? this.spec.keyHeader === 'api-key'
        ? ['api-key', key]
        : ['authorization', `Bearer ${key}`]
      : null;
    if (cfg.entra?.token) resolveSecret(cfg.entra.token, `gateway.upstreams.${cfg.name}.entra.token`);
  }

  /** Request path (with query) for an operation on one of this upstream's deployments. */
  path(op: Operation, deployment: string): string {
    return this.prefix + this.spec.path(op, deployment, this.cfg.apiVersion);
  }

  /**
   * The auth header for the next call: a static key at once (no promise: this runs on every request), a cached
   * Entra bearer token through a promise.
   */
  authHeader(): [string, string] | null | Promise<[string, string] | null> {
    if (this.cfg.entra) return this.entraBearer().then((t) => ['authorization', `Bearer ${t}`]);
    return this.staticAuth;
  }

  private async entraBearer(): Promise<string> {
    const e = this.cfg.entra!;
    if (e.token) return resolveSecret(e.token, `gateway.upstreams.${this.cfg.name}.entra.token`);
    if (this.entraToken && Date.now() < this.entraToken.refreshAt) return this.entraToken.value;
    // One token request at a time, shared by every waiting request.
    this.entraPending ??= this.fetchEntraToken().finally(() => (this.entraPending = null));
    return this.entraPending;
  }

  private async fetchEntraToken(): Promise<string> {
    const e = this.cfg.entra!;
    const field = `gateway.upstreams.${this.cfg.name}.entra`;
    if (!e.tenantId || !e.clientId || !e.clientSecret)
      throw new TallyError('invalid_config', `${field}: give token, or tenantId + clientId + clientSecret`, {
        field,
      });
    const url = new URL(`/${encodeURIComponent(e.tenantId)}/oauth2/v2.0/token`, e.authorityHost);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: e.clientId,
      client_secret: resolveSecret(e.clientSecret, `${field}.clientSecret`),
      scope: e.scope,
    });
    const res = await fetch(url, { method: 'POST', body: form, redirect: 'error' }).catch((err: Error) => {
      throw new TallyError('upstream_error', `Entra ID token request failed: ${err.message}`);
    });
    const doc = (await res.json().catch(() => null)) as { access_token?: string; expires_in?: number } | null;
    if (!res.ok || !doc?.access_token)
      throw new TallyError('upstream_error', `Entra ID token request failed with HTTP ${res.status}`);
    // Refresh 5 minutes (300 s) before expiry; tokens usually live 3600 s.
    const lifeMs = Math.max(60, (doc.expires_in ?? 3600) - 300) * 1000;
    this.entraToken = { value: doc.access_token, refreshAt: Date.now() + lifeMs };
    return doc.access_token;
  }
}

/** Builds every configured upstream by name. */
export function buildUpstreams(cfgs: readonly UpstreamConfig[], timeouts: Timeouts): Map<string, Upstream> {
  const m = new Map<string, Upstream>();
  for (const c of cfgs) {
    if (m.has(c.name))
      throw new TallyError('invalid_config', `gateway.upstreams: duplicate name "${c.name}"`);
    m.set(c.name, new Upstream(c, timeouts));
  }
  return m;
}

/** Closes every pool. */
export async function closeUpstreams(m: Map<string, Upstream>): Promise<void> {
  await Promise.all([...m.values()].map((u) => u.pool.close()));
}

/** The route-target view of an upstream's deployment. */
export function targetOf(u: Upstream, d: UpstreamConfig['deployments'][number]): RouteTarget {
  return {
    upstream: u.cfg.name,
    kind: u.cfg.kind,
    deployment: d.name,
    model: d.model,
    deploymentType: d.type,
    region: u.cfg.region ?? null,
    hosted: d.hosting !== undefined,
  };
}
