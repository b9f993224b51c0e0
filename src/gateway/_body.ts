/**
 * Reading and validating request bodies: size cap before buffering (413), JSON content type (415), strict
 * UTF-8, JSON that is an object, no prototype-polluting keys. Every refusal is an OpenAI-shaped 4xx.
 */
import type { IncomingMessage } from 'node:http';
import { TallyError } from '../core/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the whole body, refusing it as soon as it exceeds `maxBytes` (from Content-Length when declared). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > maxBytes) {
        req.off('data', onData);
        // Stop reading; the server answers 413 and closes the connection rather than drain a huge body.
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      parts.push(b);
    };
    req.on('data', onData);
    req.once('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)));
    req.once('error', (e) =>
      reject(new TallyError('invalid_input', `could not read the request body: ${e.message}`)),
    );
  });
}

function tooLarge(maxBytes: number): TallyError {
  return new TallyError('payload_too_large', `request body exceeds ${maxBytes} bytes`, { limit: maxBytes });
}

/** Refuses anything but application/json (charset utf-8 or none). */
export function checkContentType(contentType: string | undefined): void {
  const ct = (contentType ?? '').toLowerCase();
  const media = ct.split(';', 1)[0]!.trim();
  if (media !== 'application/json' && !media.endsWith('+json'))
    throw new TallyError(
      'unsupported_media_type',
      `Content-Type must be application/json, got "${media || 'none'}"`,
    );
  const charset = /charset\s*=\s*"?([^";\s]+)/.exec(ct)?.[1];
  if (charset && charset !== 'utf-8' && charset !== 'utf8')
    throw new TallyError('unsupported_media_type', `only UTF-8 bodies are accepted, got charset ${charset}`);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Decodes strict UTF-8 and parses a JSON object, refusing `__proto__`/`constructor`/`prototype` keys. */
export function parseJsonBody(buf: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new TallyError('invalid_input', 'request body is not valid UTF-8');
  }
  let value: unknown;
  try {
    // The reviver costs ~2x; only pay it when a forbidden key could be present (literally or \u-escaped).
    const suspicious =
      text.includes('__proto__') ||
      text.includes('constructor') ||
      text.includes('prototype') ||
      text.includes('\\u');
    value = suspicious ? JSON.parse(text, guardKeys) : JSON.parse(text);
  } catch (e) {
    if (e instanceof TallyError) throw e;
    throw new TallyError('invalid_input', `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TallyError('invalid_input', 'request body must be a JSON object');
  checkDepth(value);
  return value as Record<string, unknown>;
}

/**
 * Deepest nesting a body may have. Real requests nest a few levels (messages → content → parts → schema); a
 * JSON Schema in tools rarely passes 20. Deeper bodies parse fine but every recursive walk afterwards
 * (forwarding, cache keys, token bounds) would overflow the stack and answer 500/502 instead of 400.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses values nested deeper than MAX_JSON_DEPTH. V8's JSON.parse is iterative, so the parse itself is safe;
 * this walks the parsed value without recursion, at a cost per node rather than per byte (a 20 KB chat body
 * with tools has a few hundred nodes: ~2 µs, where a byte scan of the text took ~200 µs).
 */
function checkDepth(root: unknown): void {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const d = depths.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= MAX_JSON_DEPTH)
      throw new TallyError('invalid_input', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const x of children)
      if (typeof x === 'object' && x !== null) {
        stack.push(x);
        depths.push(d + 1);
      }
  }
}

function guardKeys(this: unknown, key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key))
    throw new TallyError('invalid_input', `request body contains a forbidden key "${key}"`, { param: key });
  return value;
}

/**
 * Fields that in some gateways choose the upstream host (the LiteLLM/Portkey SSRF class). Ours never do: the
 * upstream comes from config only. They are removed from the top level before forwarding so they cannot
 * reach a provider either.
 */
const HOST_FIELDS =
  /^(api_base|base_url|baseurl|api_host|apibase|endpoint|azure_endpoint|azure_ad_token|api_key|api_version|custom_host|host|url|proxy)$/i;

/** Drops host-like fields from the top level of a request body (nested ones are inert data). */
export function dropHostFields(body: Record<string, unknown>): void {
  for (const k of Object.keys(body)) if (HOST_FIELDS.test(k)) delete body[k];
}
