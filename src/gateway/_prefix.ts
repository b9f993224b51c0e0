/**
 * A privacy-safe fingerprint of a prompt's first 1,024 tokens, recorded on the usage event so repeated long
 * prefixes (the ones provider prompt caching discounts) can be found without storing any prompt text. The
 * prefix is what the provider caches: tool definitions, then instructions and messages in order. The token ids
 * are hashed with SHA-256 under a random salt kept in the store, so a fingerprint cannot be checked against a
 * guessed prompt by anyone without the store, and two installs never share fingerprints.
 */
import { createHash } from 'node:crypto';
import { leadingTokens, tokenizerFor } from '../catalog/index.js';
import type { Operation } from './_context.js';

/** Provider prompt caching starts at 1,024 prompt tokens (OpenAI and Azure OpenAI). */
export const CACHEABLE_PREFIX_TOKENS = 1024;

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => {
        if (typeof p === 'string') return p;
        const part = p as Record<string, unknown>;
        if (typeof part['text'] === 'string') return part['text'];
        return JSON.stringify(part);
      })
      .join('');
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** The prompt as the provider sees its prefix: tools first, then the instructions and messages in order. */
export function promptPrefixText(op: Operation, body: Record<string, unknown>): string | null {
  const tools = body['tools'] === undefined ? '' : JSON.stringify(body['tools']);
  if (op === 'chat') {
    const messages = body['messages'];
    if (!Array.isArray(messages)) return null;
    const text = messages
      .map((m) => {
        const msg = (m ?? {}) as Record<string, unknown>;
        return `<${String(msg['role'] ?? '')}>${contentText(msg['content'])}`;
      })
      .join('\n');
    return tools + text;
  }
  if (op === 'responses') {
    const input = body['input'];
    const text = Array.isArray(input)
      ? input.map((m) => contentText((m as Record<string, unknown>)['content'] ?? m)).join('\n')
      : contentText(input);
    return `${tools}${contentText(body['instructions'])}\n${text}`;
  }
  return null;
}

/**
 * Fingerprints already computed, by a digest of the text that decided them. Tokenizing a long prompt's head
 * (~6,000 characters) costs 1-2 ms of the event loop, on the path of every request with a prompt of 1,024
 * tokens or more; the prompts this is for share long prefixes (that is what provider caching rewards), so the
 * same head comes back and is looked up instead (~15 µs for the digest). Holds digests only, never text.
 */
const memo = new Map<string, string | null>();
const MEMO_MAX = 1024;
/** leadingTokens' first head: when it holds more than 1,024 tokens, the fingerprint depends on it alone. */
const HEAD_CHARS = 6 * CACHEABLE_PREFIX_TOKENS;

function fingerprint(salt: string, ids: Uint32Array): string {
  return createHash('sha256')
    .update(salt)
    .update(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength))
    .digest('hex')
    .slice(0, 32);
}

function remember(key: string, fp: string | null): string | null {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, fp);
  return fp;
}

/**
 * The salted fingerprint of the request's first 1,024 prompt tokens, or null when the prompt is shorter, the
 * operation has no prompt caching, or the model has no tokenizer.
 */
export function promptPrefixHash(
  op: Operation,
  body: Record<string, unknown>,
  model: string,
  salt: string,
): string | null {
  const text = promptPrefixText(op, body);
  if (text === null) return null;
  let encoding;
  try {
    encoding = tokenizerFor(model).encoding;
  } catch {
    return null;
  }
  const n = CACHEABLE_PREFIX_TOKENS;
  const whole = text.length <= HEAD_CHARS;
  const head = whole ? text : text.slice(0, HEAD_CHARS);
  const key = createHash('sha256')
    .update(`${salt}\0${encoding}\0${whole ? 'w' : 'h'}\0`)
    .update(head)
    .digest('base64');
  const known = memo.get(key);
  if (known !== undefined) return known;
  if (whole) {
    const ids = leadingTokens(encoding, text, n);
    return remember(key, ids ? fingerprint(salt, ids) : null);
  }
  // More than n tokens in the head: the first n are the text's whatever follows the head (as in leadingTokens).
  const more = leadingTokens(encoding, head, n + 1);
  if (more) return remember(key, fingerprint(salt, more.subarray(0, n)));
  // A head of long tokens (over 6 characters each): the whole text decides; rare, so not remembered.
  const ids = leadingTokens(encoding, text, n);
  return ids ? fingerprint(salt, ids) : null;
}
