/**
 * A cheap upper bound on a request's prompt tokens, for reservations. Byte-level BPE tokenizers (cl100k,
 * o200k) never produce more tokens than UTF-8 bytes, so bytes + the chat format's fixed overhead bound the
 * count from above at ~1 ns/byte, where the exact tokenizer costs ~0.6 µs/char (≈0.6 ms for a 1 KB prompt,
 * too slow for the hot path). Settlement corrects to the upstream's reported usage either way.
 */

// Per message: 3 format tokens + the role (≤ 1 token); the reply is primed with 3 more (OpenAI cookbook).
const PER_MESSAGE = 4;
const PER_REPLY = 3;

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Upper bound of one message content; null when it carries non-text parts (images, audio) that need the catalog. */
function contentBound(content: unknown): number | null {
  if (content === null || content === undefined) return 0;
  if (typeof content === 'string') return bytes(content);
  if (!Array.isArray(content)) return null;
  let n = 0;
  for (const p of content) {
    const part = p as { type?: unknown; text?: unknown };
    if (!part || typeof part !== 'object' || typeof part.text !== 'string') return null;
    n += bytes(part.text) + 1;
  }
  return n;
}

/** Upper bound of prompt tokens of a chat / embeddings / responses body; null when only an exact count will do. */
export function promptTokenBound(body: Record<string, unknown>): number | null {
  const messages = body['messages'];
  let n = 0;
  if (Array.isArray(messages)) {
    n = PER_REPLY;
    for (const m of messages) {
      if (!m || typeof m !== 'object') return null;
      const msg = m as Record<string, unknown>;
      const c = contentBound(msg['content']);
      if (c === null) return null;
      n += PER_MESSAGE + c;
      if (typeof msg['name'] === 'string') n += bytes(msg['name']) + 1;
      if (msg['tool_calls'] !== undefined) n += bytes(JSON.stringify(msg['tool_calls']));
    }
    if (Array.isArray(body['tools'])) n += bytes(JSON.stringify(body['tools'])) + 16;
    return n;
  }
  const input = body['input'];
  if (typeof input === 'string') return bytes(input) + 1;
  if (Array.isArray(input)) {
    for (const x of input) {
      if (typeof x === 'string') n += bytes(x) + 1;
      else if (typeof x === 'number')
        n += 1; // a token id
      else if (Array.isArray(x))
        n += x.length; // a list of token ids
      else if (x && typeof x === 'object') {
        const c = contentBound((x as { content?: unknown }).content);
        if (c === null) return null;
        n += PER_MESSAGE + c;
      } else return null;
    }
    return n + PER_REPLY;
  }
  return input === undefined ? 0 : null;
}
