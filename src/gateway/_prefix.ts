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
  const ids = leadingTokens(encoding, text, CACHEABLE_PREFIX_TOKENS);
  if (!ids) return null;
  return createHash('sha256')
    .update(salt)
    .update(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength))
    .digest('hex')
    .slice(0, 32);
}
