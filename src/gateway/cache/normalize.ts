/**
 * Cache keys. Every key starts with the tenant scope (team + app, or the key id when the key has no team),
 * so two tenants sending the same prompt can never share an entry. The request is normalised first: keys
 * sorted, transport-only fields (stream, stream_options, user) dropped, so equivalent requests collide and
 * different ones never do.
 */
import { createHash } from 'node:crypto';

/** Who owns cache entries: a tenant. */
export interface TenantOwner {
  readonly keyId: string | null;
  readonly team: string | null;
  readonly app: string | null;
  /** The end user, for apps whose answers are per user (`gateway.cache.perUserApps`); otherwise absent. */
  readonly user?: string | null;
}

/** The tenant scope string of an owner (never empty: anonymous requests get their own scope). */
export function tenantScope(o: TenantOwner): string {
  const base = o.team !== null ? `team=${o.team}\u0000app=${o.app ?? ''}` : `key=${o.keyId ?? '(anonymous)'}`;
  // A per-user app without a user gets its own (shared) scope, never another user's.
  return o.user === undefined ? base : `${base}\u0000user=${o.user ?? '(none)'}`;
}

// Fields that change how the answer is delivered or metered, not what it says.
const TRANSPORT_FIELDS = new Set(['stream', 'stream_options', 'user']);

/** Canonical JSON: object keys sorted at every depth, so key order never changes a cache key. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The request body without transport-only fields. */
export function normalisedRequest(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!TRANSPORT_FIELDS.has(k)) out[k] = v;
  return out;
}

const sha256 = (parts: readonly string[]) => createHash('sha256').update(parts.join('\u0001')).digest('hex');

/** Exact-cache key: tenant scope + operation + requested model + normalised body. */
export function exactCacheKey(
  owner: TenantOwner,
  operation: string,
  requestModel: string,
  body: Record<string, unknown>,
): string {
  return sha256([
    'exact',
    tenantScope(owner),
    operation,
    requestModel,
    canonicalJson(normalisedRequest(body)),
  ]);
}

/** A chat request split for the semantic cache: the partition it may match within and the text to embed. */
export interface SemanticQuery {
  /** Hash of tenant, model, every parameter, system prompt and all earlier turns: only the last user message varies. */
  readonly partition: string;
  /** The last user message's text. */
  readonly text: string;
}

/** Builds the semantic query of a chat request, or null when it has no final user message with text. */
export function semanticQuery(
  owner: TenantOwner,
  requestModel: string,
  body: Record<string, unknown>,
): SemanticQuery | null {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return null;
  const last: unknown = messages[messages.length - 1];
  if (!last || typeof last !== 'object' || (last as { role?: unknown }).role !== 'user') return null;
  const text = contentText((last as { content?: unknown }).content);
  if (text === null || text.trim() === '') return null;
  const rest = { ...normalisedRequest(body), messages: messages.slice(0, -1) };
  return { partition: sha256(['semantic', tenantScope(owner), requestModel, canonicalJson(rest)]), text };
}

/** Text of a message content (string, or text parts); null when it carries anything but text (images...). */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts: string[] = [];
  for (const p of content) {
    if (!p || typeof p !== 'object') return null;
    const part = p as { type?: unknown; text?: unknown };
    if (part.type !== 'text' || typeof part.text !== 'string') return null;
    parts.push(part.text);
  }
  return parts.join('\n');
}
