/**
 * Embeddings for the gateway's own use (the semantic cache): the model is routed like a client request and
 * sent to its first deployment. These calls are the gateway's overhead, not a tenant's request.
 */
import { TallyError } from '../core/index.js';
import type { RouteTable } from './_route.js';
import type { Upstream } from './_upstreams.js';

/** Embeds texts with a routed embeddings model; vectors in input order. */
export async function embedTexts(
  upstreams: Map<string, Upstream>,
  routes: RouteTable,
  model: string,
  input: readonly string[],
): Promise<number[][]> {
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
  return out;
}
