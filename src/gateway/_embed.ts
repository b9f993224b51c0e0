/**
 * Embeddings for the gateway's own use (the semantic cache): the model is routed like a client request and
 * sent to its first deployment. They are real spend, so the caller meters them against the tenant whose request
 * needed them (see `Meter.meterInternal`).
 */
import { TallyError } from '../core/index.js';
import type { RouteTable } from './_route.js';
import type { Upstream } from './_upstreams.js';
import { parseUsageObject } from './_usage.js';
import type { RouteTarget, Usage } from './_context.js';

/** Vectors in input order, the deployment that made them and the usage it reported (null if none). */
export interface Embedded {
  readonly vectors: number[][];
  readonly target: RouteTarget;
  readonly usage: Usage | null;
}

/** Embeds texts with a routed embeddings model. */
export async function embedTexts(
  upstreams: Map<string, Upstream>,
  routes: RouteTable,
  model: string,
  input: readonly string[],
): Promise<Embedded> {
  const target = routes.resolve(model).targets[0]!;
  const up = upstreams.get(target.upstream)!;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = await up.authHeader();
  if (auth) headers[auth[0]] = auth[1];
  const body: Record<string, unknown> = { input };
  if (up.spec.modelInBody) body['model'] = target.deployment;
  const r = await up.pool.request({
    method: 'POST',
    path: up.path('embeddings', target.deployment),
    headers,
    body: JSON.stringify(body),
  });
  const doc = (await r.body.json().catch(() => null)) as {
    data?: { index?: number; embedding?: unknown }[];
    usage?: unknown;
  } | null;
  if (r.statusCode >= 300 || !Array.isArray(doc?.data))
    throw new TallyError(
      'upstream_error',
      `embedding call to ${target.upstream} failed with HTTP ${r.statusCode}`,
    );
  const out: number[][] = [];
  for (const [i, d] of doc.data.entries())
    out[typeof d.index === 'number' ? d.index : i] = Array.isArray(d.embedding)
      ? (d.embedding as number[])
      : [];
  return { vectors: out, target, usage: parseUsageObject(doc.usage) };
}
